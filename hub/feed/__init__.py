"""The change feed as departments read it: events after a cursor, each shown as the reader's
grants allow (:mod:`hub.feed.visibility`), read from the table the publication wrote
(:mod:`hub.resolution.changes`)."""
