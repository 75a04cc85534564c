/* cause: the one way the core tells a caller why something failed — a sentence, malloc'd,
 * into a `char **cause` that may be NULL (the caller does not want it). */
#ifndef MADOGUCHI_CAUSE_H
#define MADOGUCHI_CAUSE_H

void cause_set(char **cause, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
