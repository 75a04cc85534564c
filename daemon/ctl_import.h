/*
 * ctl_import: madoguchictl import — loads an event log (e.g. from an older ticket system)
 * into the database as if it had happened, so reports, rollups and progress records cover
 * it exactly like live data. All or nothing: any invalid row is reported with its line
 * number and nothing is imported.
 */
#ifndef MADOGUCHI_CTL_IMPORT_H
#define MADOGUCHI_CTL_IMPORT_H

/* argv[0] is "import"; options --events FILE.csv, [--config FILE], [--check]. Returns the
 * exit status: 0 imported (or valid with --check), 1 invalid rows or a store failure,
 * 2 usage. */
int ctl_import_main(const char *db, int argc, char **argv);

#endif
