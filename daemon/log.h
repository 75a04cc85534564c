/* log: one line per message on stderr, which systemd's journal keeps with its time. */
#ifndef MADOGUCHI_LOG_H
#define MADOGUCHI_LOG_H

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
