/*
 * ctl_replay: madoguchictl replay — feeds an event log through the core queue and its
 * estimator with `now` taken from the log, and reports for each issued ticket the wait
 * the estimator predicted when it was issued beside the wait it had (CONTRACT.md):
 *
 *   label,predicted_wait_s,actual_wait_s        one line per issued ticket, in issue order
 *   n=N mae_s=X naive_mae_s=Y mean_wait_s=Z     over the N tickets that were called
 *
 * naive = position × mean service time ÷ open counters, with the same learned mean. A
 * ticket never called (it left, or the log ends) has an empty actual_wait_s.
 */
#ifndef MADOGUCHI_CTL_REPLAY_H
#define MADOGUCHI_CTL_REPLAY_H

/* argv[0] is "replay"; options --events FILE.csv and [--config FILE] (else the demo city).
 * Returns the exit status: 0 done, 1 unreadable or invalid log (each bad line reported with
 * its number, nothing replayed), 2 usage or configuration. */
int ctl_replay_main(int argc, char **argv);

#endif
