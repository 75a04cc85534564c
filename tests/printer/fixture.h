/*
 * fixture — the contract's sample ticket for the printer tests, as a
 * jansson object each test may change before parsing or printing it.
 */
#ifndef MADOGUCHI_TEST_PRINTER_FIXTURE_H
#define MADOGUCHI_TEST_PRINTER_FIXTURE_H

#include <stddef.h>

#include <jansson.h>

#include "escpos_walk.h"
#include "printer.h"

#define FIXTURE_URL	"https://sakai.example.jp/t/3q2VfX9aLk0pQm7RbT1sHw"

/* The reply of POST /api/v1/offices/naka/tickets for a resident of lang. */
json_t	*fixture_ticket(const char *lang);
/* Sets (value non-NULL, JSON text) or deletes the field at a dotted path. */
void	 fixture_set(json_t *ticket, const char *path, const char *value);
/* Compact JSON text of ticket, malloc'd. */
char	*fixture_json(json_t *ticket);
/* Parses ticket, failing the test if it does not. */
struct printer_ticket *fixture_parse(json_t *ticket);
/* Renders and walks; fails the test if either fails. *buf is kept for qr/raster pointers. */
void	 fixture_render(const struct printer_ticket *t, unsigned paper_mm,
	    enum printer_qr qr, unsigned char **buf, size_t *len,
	    struct walk_doc *doc);
/* A sample ticket printed and read back, for one test to look at. */
struct fixture_print {
	json_t			*json;
	struct printer_ticket	*ticket;
	unsigned char		*buf;
	size_t			 len;
	struct walk_doc		 doc;
};
/*
 * Prints the sample ticket of lang after changes given as (path, JSON
 * value or NULL to delete) pairs, ending with a NULL path.
 */
void	 fixture_print(struct fixture_print *p, const char *lang,
	    unsigned paper_mm, enum printer_qr qr, ...);
void	 fixture_print_free(struct fixture_print *p);
/* Whether the walked text holds needle. */
int	 fixture_prints(const struct walk_doc *doc, const char *needle);

#endif
