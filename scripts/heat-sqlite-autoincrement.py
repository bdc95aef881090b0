"""Give every integer "id" primary key of a Heat SQLite database AUTOINCREMENT.

Usage: /usr/bin/python3 heat-sqlite-autoincrement.py HEAT_SQLITE_FILE

Heat assumes row ids are never handed out twice (MySQL and PostgreSQL never
do). A plain SQLite INTEGER PRIMARY KEY reuses the largest id once its row is
deleted, and Heat then deletes live rows that received a recycled id, which
breaks updates and deletes. AUTOINCREMENT makes SQLite keep ids monotonic.

Run it after `heat-manage db_sync`. It is idempotent: tables that already
use AUTOINCREMENT are left alone, and rows and indexes are preserved.
"""

import re
import sqlite3
import sys

PK_COLUMN = re.compile(r"^(\s*)id INTEGER NOT NULL", re.MULTILINE)
PK_CLAUSE = re.compile(r",\s*PRIMARY KEY \(id\)")


def needs_fix(db, table, sql):
    """The table's only primary key is an INTEGER column named id without AUTOINCREMENT."""
    if "AUTOINCREMENT" in sql.upper():
        return False
    pks = [(name, typ) for _, name, typ, _, _, pk in db.execute(f'PRAGMA table_info("{table}")') if pk]
    return pks == [("id", "INTEGER")] and PK_COLUMN.search(sql) and PK_CLAUSE.search(sql)


def rebuild(db, table, sql):
    """Recreate the table with an AUTOINCREMENT key, keeping its rows and indexes."""
    tmp = table + "__autoincrement"
    new_sql = PK_CLAUSE.sub("", PK_COLUMN.sub(r"\1id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL", sql, 1), 1)
    new_sql = re.sub(r'^CREATE TABLE\s+"?%s"?' % re.escape(table), f'CREATE TABLE "{tmp}"', new_sql, 1)
    indexes = [s for (s,) in db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (table,))]
    db.execute(new_sql)
    db.execute(f'INSERT INTO "{tmp}" SELECT * FROM "{table}"')
    db.execute(f'DROP TABLE "{table}"')
    db.execute(f'ALTER TABLE "{tmp}" RENAME TO "{table}"')
    for index in indexes:
        db.execute(index)


def main(path):
    db = sqlite3.connect(path, isolation_level=None)
    tables = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
    if not any(sql and needs_fix(db, table, sql) for table, sql in tables):
        return
    db.execute("PRAGMA foreign_keys = OFF")
    db.execute("BEGIN IMMEDIATE")
    # Heat's own data may already hold dangling references (SQLite does not
    # enforce them); only new ones would be the rebuild's fault.
    dangling = set(db.execute("PRAGMA foreign_key_check").fetchall())
    fixed = []
    for table, sql in db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall():
        if sql and needs_fix(db, table, sql):
            rebuild(db, table, sql)
            fixed.append(table)
    broken = set(db.execute("PRAGMA foreign_key_check").fetchall()) - dangling
    if broken:
        db.execute("ROLLBACK")
        sys.exit(f"the rebuild broke foreign keys: {sorted(broken)[:10]}")
    db.execute("COMMIT")
    if fixed:
        print("AUTOINCREMENT ids:", ", ".join(sorted(fixed)), file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
