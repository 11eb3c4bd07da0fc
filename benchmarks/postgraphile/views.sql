-- What PostGraphile exposes: views over the hub's published tables, in a schema of their own
-- ({api}), so the hub's own schema ({hub}) stays exactly as the hub wrote it. Each view gives
-- the values in the form the hub's GraphQL answers with (enum names in capitals, the house's
-- address written out, a person's age today in China Standard Time, provenance field names
-- in camelCase), so that one query of PostGraphile answers field for field what one of the
-- hub's published operations answers (benchmarks/vs_postgraphile.py checks it on samples).
-- Relations between views are smart comments (@primaryKey, @foreignKey), PostGraphile 5's way
-- of giving views the constraints PostgreSQL only records for tables.
--
-- {hub} and {api} are replaced with quoted identifiers by benchmarks/_postgraphile.py.

drop schema if exists {api} cascade;
create schema {api};

create view {api}.house as
select h.id, h.building_code, h.use, h.grid_code,
       '德化县' || concat(h.township, h.village, h.road, h.number, h.building, h.unit, h.room)
           as address
from {hub}.house h;
comment on view {api}.house is E'@primaryKey id';

create view {api}.grid as
select g.code, g.name, g.parent_code, g.worker_name, g.worker_phone,
       case g.level when '乡镇' then 'TOWNSHIP' when '一级网格' then 'FIRST'
                    when '单元网格' then 'UNIT' when '责任网格' then 'RESPONSIBILITY' end as level
from {hub}.grid g;
comment on view {api}.grid is E'@primaryKey code\n@foreignKey (parent_code) references {api}.grid (code)|@fieldName parent';

create view {api}.person as
select p.id, p.id as entity_id, upper(p.status) as status, p.name, p.name_pinyin, p.sex,
       p.birth_date, p.ethnicity, p.resident_id, p.phone, p.house_id, p.grid_code,
       p.household_no, p.registration_type, p.relation_to_head,
       case when p.birth_date is null then null
            else extract(year from age((now() at time zone 'Asia/Shanghai')::date,
                                       p.birth_date))::int end as age,
       array(select upper(t.tag) from {hub}.person_tag t where t.person_id = p.id
             order by t.tag) as tags
from {hub}.person p;
comment on view {api}.person is E'@primaryKey id\n@foreignKey (house_id) references {api}.house (id)|@fieldName house\n@foreignKey (grid_code) references {api}.grid (code)|@fieldName grid';

-- The published operations' root fields: a lookup by resident ID (spaces and a lower-case x
-- allowed, an active person before an ended one, merged ones never) and a grid subtree's
-- active residents ordered by id (the hub's `people(filter: {gridCode})`, whose status filter
-- defaults to active).
create function {api}.person_by_resident_id(resident_id text) returns {api}.person
language sql stable as $$
  select p.* from {api}.person p
  where p.resident_id = upper(replace(person_by_resident_id.resident_id, ' ', ''))
    and p.status <> 'MERGED'
  order by p.status <> 'ACTIVE', p.id
  limit 1
$$;

create function {api}.grid_residents(grid_code text) returns setof {api}.person
language sql stable as $$
  select p.* from {api}.person p
  where p.grid_code >= grid_residents.grid_code
    and p.grid_code < grid_residents.grid_code || '~'
    and p.status = 'ACTIVE'
  order by p.id
$$;

-- A person's household: the active members with the same household number (the person alone
-- when there is none), as `Person.householdMembers`.
create function {api}.person_household_members(p {api}.person) returns setof {api}.person
language sql stable as $$
  select m.* from {api}.person m
  where p.household_no is not null and m.household_no = p.household_no
    and m.status = 'ACTIVE'
  union all
  select p.* where p.household_no is null
  order by 1
$$;

create view {api}.benefit as
select b.id, b.person_id, b.category, b.monthly_amount, b.covered_count, b.start_date,
       b.dataset, b.record_id, b.valid_from
from {hub}.benefit b;
comment on view {api}.benefit is E'@primaryKey id\n@foreignKey (person_id) references {api}.person (id)|@fieldName person|@foreignFieldName benefits';

create view {api}.vaccination as
select v.id, v.person_id, v.vaccine, v.dose, v.vaccinated_at, v.site, v.valid_from
from {hub}.vaccination v;
comment on view {api}.vaccination is E'@primaryKey id\n@foreignKey (person_id) references {api}.person (id)|@fieldName person|@foreignFieldName vaccinations';

create view {api}.health_group as
select h.id, h.person_id, h."group", h.family_doctor, h.signed_at, h.valid_from
from {hub}.health_group h;
comment on view {api}.health_group is E'@primaryKey id\n@foreignKey (person_id) references {api}.person (id)|@fieldName person|@foreignFieldName healthGroups';

create view {api}.party_membership as
select m.id, m.person_id, m.category, m.joined_at, m.branch, m.floating, m.grid_role,
       m.valid_from
from {hub}.party_membership m;
comment on view {api}.party_membership is E'@primaryKey id\n@foreignKey (person_id) references {api}.person (id)|@fieldName person|@foreignFieldName partyMemberships';

create view {api}.citizen_report as
select r.id, r.person_id, r.event_id, r.category, r.reported_at, r.points,
       case r.status when '已提交' then 'SUBMITTED' when '已转办' then 'ASSIGNED'
                     when '办理中' then 'HANDLED' when '已反馈' then 'ANSWERED'
                     when '已评价' then 'RATED' end as status
from {hub}.citizen_report r;
comment on view {api}.citizen_report is E'@primaryKey id\n@foreignKey (person_id) references {api}.person (id)|@fieldName person|@foreignFieldName citizenReports';

create view {api}.provenance as
select v.id, v.entity_id as person_id, v.field as field_key,
       lower(left(replace(initcap(v.field), '_', ''), 1))
           || substr(replace(initcap(v.field), '_', ''), 2) as field,
       v.value, v.dataset, v.record_id, v.snapshot_date, v.rule,
       (select coalesce(jsonb_agg(jsonb_build_object(
                  'value', a ->> 'value', 'dataset', a ->> 'dataset',
                  'recordId', a ->> 'record_id',
                  'snapshotDate', left(a ->> 'snapshot_date', 10)) order by n), '[]'::jsonb)
        from jsonb_array_elements(v.alternatives) with ordinality as x(a, n)) as alternatives
from {hub}.provenance v
where v.entity_kind = 'person';
comment on view {api}.provenance is E'@primaryKey id\n@foreignKey (person_id) references {api}.person (id)|@fieldName person|@foreignFieldName provenance';

-- A person's current source records with the link that joined each (`Person.sourceRecords`).
create view {api}.source_record as
select l.entity_id as person_id, s.dataset, s.record_id, s.valid_from, s.valid_to,
       l.rule, l.score
from {hub}.record_link l
join {hub}.source_record s on s.dataset = l.dataset and s.record_id = l.record_id
where l.kind = 'person' and s.valid_to is null;
comment on view {api}.source_record is E'@primaryKey dataset,record_id\n@foreignKey (person_id) references {api}.person (id)|@fieldName person|@foreignFieldName sourceRecords';
