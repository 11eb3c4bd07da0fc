#!/usr/bin/env bash
# A production-mode hub on generated data, with one token per role, for a security review.
#
#   deploy/review-server.sh [RESIDENTS] [PORT]      (defaults: 3000 residents, port 8101)
#
# Run from the repository root after `pip install -e ".[dev]"` into .venv. Everything goes
# under var/review/ (delete it to start again): the landing folder, the SQLite database, the
# audit key, the anchor file, the server log, and tokens.txt (role, name, grid, secret; two
# grid workers in two grids). The server runs in the foreground until Ctrl-C.
set -euo pipefail

residents="${1:-3000}"
port="${2:-8101}"
root="$PWD/var/review"
hub="$PWD/.venv/bin/hub"
python="$PWD/.venv/bin/python"
export HUB_VAR_DIR="$root"
export HUB_DATABASE_URL="sqlite:///$root/hub.sqlite3"
export HUB_MODE=production

if [ ! -f "$root/hub.sqlite3" ]; then
  mkdir -p "$root"
  "$hub" generate --residents "$residents" --seed 1 --out "$root/landing" --truth "$root/truth"
  "$hub" db upgrade
  "$hub" run --landing "$root/landing"
fi
[ -f "$root/audit.key" ] || "$hub" audit create-key

if [ ! -f "$root/tokens.txt" ]; then
  # Two responsibility grids with residents: a grid worker in each.
  mapfile -t grids < <("$python" - "$root/hub.sqlite3" <<'EOF'
import sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute(
    "select grid_code from person where status = 'active' and grid_code is not null "
    "group by grid_code order by count(*) desc limit 2").fetchall()
print("\n".join(r[0] for r in rows))
EOF
)
  {
    for role in public_security civil_affairs health party_building city_management steward \
                administrator; do
      printf '%s\t%s\t-\t%s\n' "$role" "review/$role" \
        "$("$hub" token create --role "$role" --name "review/$role" | tail -n 1)"
    done
    for grid in "${grids[@]}"; do
      printf 'grid_worker\t%s\t%s\t%s\n' "review/grid/$grid" "$grid" \
        "$("$hub" token create --role grid_worker --grid "$grid" --name "review/grid/$grid" \
           | tail -n 1)"
    done
  } > "$root/tokens.txt"
  chmod 600 "$root/tokens.txt"
fi
echo "tokens (role, name, grid, secret): $root/tokens.txt"
echo "audit check: HUB_VAR_DIR=$root HUB_DATABASE_URL=$HUB_DATABASE_URL $hub audit verify"
exec "$hub" serve --port "$port"
