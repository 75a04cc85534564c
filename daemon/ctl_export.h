/*
 * ctl_export: madoguchictl's progress-record and rollup commands, on the database directly.
 *
 *   export progress --fy YEAR [--format csv|md|json] [--office CODE] [--config FILE]
 *   progress note --fy YEAR --initiative N [--office CODE] [--issues TEXT] [--next TEXT] [--config FILE]
 *   rollup rebuild [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--config FILE]
 *   export events [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--office CODE] [--all] [--config FILE]
 *
 * export events writes the event log (CONTRACT.md's CSV) of the days asked (JST; --to is
 * exclusive; default all), for replay, import elsewhere, or a spreadsheet: labels and
 * counters only, no tokens. --all adds madoguchi's own recalled and requeued rows.
 *
 * --config names the city the daemon runs with (default: the bundled demo city): its
 * initiatives and procedures' target waits. The database must exist: a mistyped path is
 * refused rather than created empty.
 */
#ifndef MADOGUCHI_CTL_EXPORT_H
#define MADOGUCHI_CTL_EXPORT_H

/* argv[0] is the last command word. Each returns the exit status: 0 done, 1 a store or data
 * failure, 2 usage. */
int ctl_export_progress(const char *db, int argc, char **argv);
int ctl_progress_note(const char *db, int argc, char **argv);
int ctl_rollup_rebuild(const char *db, int argc, char **argv);
int ctl_export_events(const char *db, int argc, char **argv);

#endif
