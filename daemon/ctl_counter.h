/*
 * ctl_counter: madoguchictl's counter actions over HTTP, for scripts and hardware call
 * buttons — the same calls the /staff console makes, with the same token.
 */
#ifndef MADOGUCHI_CTL_COUNTER_H
#define MADOGUCHI_CTL_COUNTER_H

/* Runs the action named by argv[0] (call, recall, start, done, no-show, transfer, pause,
 * resume) against server with token (either may be NULL: then MADOGUCHI_SERVER and
 * MADOGUCHI_TOKEN from the environment). Returns the exit status: 0 done, 1 refused or
 * failed, 2 usage, 3 nobody waiting (call only). */
int ctl_counter_main(const char *server, const char *token, int argc, char **argv);

#endif
