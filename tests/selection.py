"""Which tests CI runs where (conftest.py marks them at collection).

`postgres`: what can differ on PostgreSQL, run there again (`scripts/test -m postgres` with
TEST_DATABASE_URL); the whole suite runs on SQLite. Every session on PostgreSQL also runs
every migration upward (the `app` fixture builds the schema with them). Browser tests are
never in it: a page does not know which database is behind the server, and the queries its
requests make are the in-process tests' too."""

# Whole modules: each is about queries, constraints or locking written per dialect.
POSTGRES_MODULES = {
    # Search: FTS5 and triggers on SQLite, tsvector, pg_trgm and ts_rank on PostgreSQL.
    "test_search",
    # ON CONFLICT DO NOTHING (dialect inserts) and the partial unique index of pending ones.
    "test_invitations",
    # Unread counts: capped subqueries, COALESCE of scalar subqueries, and the savepoint that
    # lets a page outlive a lock only on PostgreSQL (chat/unread.py _or_none).
    "test_unread",
    # Notification jobs: the row lock (SELECT ... FOR UPDATE, SQLite's no-op write instead),
    # the unique notification per source, the sweep's queries, their migration.
    "test_notifications",
    # The models' paged and counted lists (row_number() windows in models/room.py,
    # aggregates, GROUP BY) and the fixed query counts of pages.
    "test_room_bounds",
    "test_page_bounds",
    "test_notification_center",
    "test_rooms",
    "test_open_rooms",
    # Direct messages: one conversation per set of people (the IntegrityError of a race,
    # rolled back, and PostgreSQL aborts the transaction on it), and their aggregates.
    "test_direct",
    "test_direct_leaving",
    # Confusable skeletons: the indexes and the query that asks them (a dialect branch).
    "test_lookalikes",
    # Labels (a unique key per board, cascades) and the board filter (ILIKE with escapes,
    # EXISTS and IN subqueries, date comparisons in SQL).
    "test_labels",
    "test_board_filter",
    # Watchers: ON CONFLICT DO NOTHING (a dialect insert), the jobs' row locks and unique keys.
    "test_watchers",
}

# Single tests of other modules, by name (every parametrization).
POSTGRES_TESTS = {
    # Due reminders once (the row lock and the unique key), the migration; "My tasks"'s query
    # (ORDER BY due_date IS NULL, the membership join, LIMIT/OFFSET).
    "test_due_reminders": {
        "test_a_stale_reminder_after_the_due_date_changed_does_nothing",
        "test_the_overdue_notice_comes_once_and_not_for_a_finished_task",
        "test_the_form_takes_the_due_time_in_the_setters_zone",
    },
    "test_my_tasks": {
        "test_my_tasks_are_grouped_by_due_in_my_zone",
        "test_my_tasks_is_bounded_with_more",
    },
    # Migrations down and up again on the session's database (SQLite-only ones use
    # conftest.scratch_app and are left out).
    "test_input": {"test_the_migration_recomputes_name_keys"},
    "test_zone_names": {"test_the_migration_forgets_stored_zones_that_name_no_place"},
    # Ids never reused: SQLite's AUTOINCREMENT against PostgreSQL's sequences.
    "test_trust": {
        "test_ids_are_never_reused_after_a_delete",
        "test_every_table_whose_ids_are_never_reused_has_autoincrement",
    },
    # Concurrency: two transactions at once, where PostgreSQL's row locks and isolation
    # decide (SQLite has one writer).
    "test_access_ends": {"test_a_removal_recorded_twice_at_once_is_recorded_once"},
    "test_comments": {"test_a_comment_deleted_twice_at_once_is_deleted_once"},
    "test_live_board": {"test_concurrent_moves_of_one_card_converge"},
    "test_nothing_lost": {"test_a_client_id_is_saved_once_over_socket_and_http"},
    # A lock held on the messages table: PostgreSQL's lock timeout and savepoint path.
    "test_faults": {"test_database_briefly_unavailable"},
    # Case-insensitive uniqueness and lookups: the unique username_key index, and a
    # refused duplicate (an IntegrityError aborts a PostgreSQL transaction).
    "test_auth": {
        "test_usernames_are_unique_case_insensitively",
        "test_login_is_case_insensitive_and_remember_me_sets_a_cookie",
    },
    "test_mentions": {"test_find_only_readers_case_insensitively_once_each"},
    # A big board: each column's first cards and counts, the rest paged (LIMIT/OFFSET).
    "test_boards": {
        "test_a_board_of_1000_tasks_shows_each_columns_first_cards_and_the_rest_on_demand"
    },
}

BROWSER_FIXTURES = {"browser"}


def on_postgres(module: str, name: str, fixtures: set[str]) -> bool:
    """Whether a test (its module's short name, its function's name, the fixtures it uses)
    runs on PostgreSQL too."""
    if BROWSER_FIXTURES & fixtures:
        return False
    return module in POSTGRES_MODULES or name in POSTGRES_TESTS.get(module, ())
