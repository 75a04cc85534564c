/* ctl_counter: counter actions over HTTP with libevent's evhttp client. */
#include "ctl_counter.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <jansson.h>

#include "proto.h"

#define CTL_TIMEOUT_S 10

enum ctl_counter_kind {
	KIND_CALL,      /* POST …/counters/{n}/call */
	KIND_TICKET,    /* POST …/tickets/{id}/ACTION */
	KIND_TRANSFER,  /* POST …/tickets/{id}/transfer {"service"} */
	KIND_STATE,     /* PUT …/counters/{n} {"state"} */
};

struct ctl_counter_action {
	const char *name;
	enum ctl_counter_kind kind;
	const char *arg;         /* the path's last word, or the counter state to set */
	const char *done;        /* what the human line says happened */
};

static const struct ctl_counter_action actions[] = {
	{ "call", KIND_CALL, "call", "called" },
	{ "recall", KIND_TICKET, "recall", "recalled" },
	{ "start", KIND_TICKET, "start", "serving" },
	{ "done", KIND_TICKET, "done", "done" },
	{ "no-show", KIND_TICKET, "no-show", "no-show" },
	{ "transfer", KIND_TRANSFER, "transfer", "transferred; now waiting" },
	{ "pause", KIND_STATE, "paused", "paused" },
	{ "resume", KIND_STATE, "open", "open" },
};

struct ctl_counter_client {
	struct event_base *base;
	struct evhttp_connection *conn;
	char host[256];
	int port;
	char prefix[256];        /* the server URL's path, without a trailing slash */
	const char *token;
};

struct ctl_counter_reply {
	int status;              /* 0 when no reply came */
	char *body;
	struct event_base *base; /* whose loop waits for the reply */
};

static void
ctl_counter_done_cb(struct evhttp_request *req, void *arg)
{
	struct ctl_counter_reply *reply = arg;
	struct evbuffer *in;
	size_t len;

	if (req == NULL || evhttp_request_get_response_code(req) == 0)
		goto out;
	reply->status = evhttp_request_get_response_code(req);
	in = evhttp_request_get_input_buffer(req);
	len = evbuffer_get_length(in);
	reply->body = malloc(len + 1);
	if (reply->body == NULL)
		abort();
	evbuffer_copyout(in, reply->body, len);
	reply->body[len] = '\0';
out:
	event_base_loopexit(reply->base, NULL);
}

static void
ctl_counter_fail_cb(enum evhttp_request_error error, void *arg)
{
	(void)error;
	(void)arg;
}

/* One request, waited for. The token goes in the Authorization header only. */
static int
ctl_counter_request(struct ctl_counter_client *c, enum evhttp_cmd_type method, const char *path, json_t *body,
		    struct ctl_counter_reply *reply, char **cause)
{
	struct evhttp_request *req = NULL;
	struct evkeyvalq *headers;
	char *uri = NULL, *text = NULL, *auth = NULL;
	int rc = -1;

	memset(reply, 0, sizeof(*reply));
	reply->base = c->base;
	req = evhttp_request_new(ctl_counter_done_cb, reply);
	if (req == NULL || asprintf(&uri, "%s%s", c->prefix, path) < 0 || asprintf(&auth, "Bearer %s", c->token) < 0)
		goto out;
	evhttp_request_set_error_cb(req, ctl_counter_fail_cb);
	headers = evhttp_request_get_output_headers(req);
	evhttp_add_header(headers, "Host", c->host);
	evhttp_add_header(headers, "Authorization", auth);
	evhttp_add_header(headers, "Accept", "application/json");
	if (body != NULL) {
		text = json_dumps(body, JSON_COMPACT);
		if (text == NULL)
			goto out;
		evhttp_add_header(headers, "Content-Type", "application/json");
		evbuffer_add(evhttp_request_get_output_buffer(req), text, strlen(text));
	}
	if (evhttp_make_request(c->conn, req, method, uri) != 0) {
		req = NULL; /* evhttp frees a request it could not send */
		goto out;
	}
	req = NULL;
	event_base_dispatch(c->base);
	rc = reply->status > 0 ? 0 : -1;
out:
	if (rc != 0 && cause != NULL && *cause == NULL &&
	    asprintf(cause, "no reply from %s:%d (is madoguchid running there?)", c->host, c->port) < 0)
		*cause = NULL;
	if (req != NULL)
		evhttp_request_free(req);
	free(uri);
	free(text);
	free(auth);
	return rc;
}

/* "http://host[:port][/prefix]" into the client; https is left to a local proxy. */
static int
ctl_counter_connect(struct ctl_counter_client *c, const char *server, char **cause)
{
	struct evhttp_uri *uri = evhttp_uri_parse(server);
	const char *scheme, *host, *path;
	int rc = -1;

	if (uri == NULL || (scheme = evhttp_uri_get_scheme(uri)) == NULL || strcmp(scheme, "http") != 0 ||
	    (host = evhttp_uri_get_host(uri)) == NULL || host[0] == '\0' || strlen(host) >= sizeof(c->host)) {
		if (asprintf(cause, "--server %s: want http://HOST[:PORT]", server) < 0)
			*cause = NULL;
		goto out;
	}
	snprintf(c->host, sizeof(c->host), "%s", host);
	c->port = evhttp_uri_get_port(uri) > 0 ? evhttp_uri_get_port(uri) : 80;
	path = evhttp_uri_get_path(uri);
	snprintf(c->prefix, sizeof(c->prefix), "%s", path != NULL ? path : "");
	while (c->prefix[0] != '\0' && c->prefix[strlen(c->prefix) - 1] == '/')
		c->prefix[strlen(c->prefix) - 1] = '\0';
	c->base = event_base_new();
	if (c->base == NULL)
		goto out;
	c->conn = evhttp_connection_base_new(c->base, NULL, c->host, (ev_uint16_t)c->port);
	if (c->conn == NULL)
		goto out;
	evhttp_connection_set_timeout(c->conn, CTL_TIMEOUT_S);
	rc = 0;
out:
	if (uri != NULL)
		evhttp_uri_free(uri);
	return rc;
}

static void
ctl_counter_close(struct ctl_counter_client *c)
{
	if (c->conn != NULL)
		evhttp_connection_free(c->conn);
	if (c->base != NULL)
		event_base_free(c->base);
}

/* The problem's detail, or the status, for stderr. */
static void
ctl_counter_refused(const char *what, const struct ctl_counter_reply *reply)
{
	json_t *problem = reply->body != NULL ? json_loads(reply->body, 0, NULL) : NULL;
	const char *detail = json_string_value(json_object_get(problem, "detail"));

	fprintf(stderr, "madoguchictl: %s: %d %s%s%s\n", what, reply->status, proto_status_title(reply->status),
		detail != NULL ? ": " : "", detail != NULL ? detail : "");
	json_decref(problem);
}

/* A JSON reply body, or NULL after saying why. */
static json_t *
ctl_counter_json(const char *what, const struct ctl_counter_reply *reply)
{
	json_t *j = reply->body != NULL ? json_loads(reply->body, 0, NULL) : NULL;

	if (j == NULL)
		fprintf(stderr, "madoguchictl: %s: the reply is not JSON\n", what);
	return j;
}

struct ctl_counter_args {
	const struct ctl_counter_action *action;
	char office[64];
	int counter;
	long long id;
	char to[32];
	int json;
};

static const struct ctl_counter_action *
ctl_counter_find(const char *name)
{
	const struct ctl_counter_action *found = NULL;

	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]) && found == NULL; i++)
		if (strcmp(actions[i].name, name) == 0)
			found = &actions[i];
	return found;
}

static int
ctl_counter_parse(int argc, char **argv, struct ctl_counter_args *a)
{
	static const struct option options[] = {
		{ "office", required_argument, NULL, 'o' }, { "counter", required_argument, NULL, 'c' },
		{ "to", required_argument, NULL, 't' },	    { "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	char *end = NULL;
	int opt, rc = -1;

	memset(a, 0, sizeof(*a));
	a->action = ctl_counter_find(argv[0]);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'o':
			snprintf(a->office, sizeof(a->office), "%s", optarg);
			break;
		case 'c':
			a->counter = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || a->counter < 1 || a->counter > 64)
				goto out;
			break;
		case 't':
			snprintf(a->to, sizeof(a->to), "%s", optarg);
			break;
		case 'j':
			a->json = 1;
			break;
		default:
			goto out;
		}
	}
	if (optind < argc) {
		a->id = strtoll(argv[optind], &end, 10);
		if (*end != '\0' || a->id <= 0 || optind + 1 < argc || a->action->kind == KIND_CALL ||
		    a->action->kind == KIND_STATE)
			goto out;
	}
	if (a->action->kind == KIND_TRANSFER && a->to[0] == '\0')
		goto out;
	rc = 0;
out:
	return rc;
}

/* Fills office and counter from the token when the command line left them out. */
static int
ctl_counter_whoami(struct ctl_counter_client *c, struct ctl_counter_args *a, char **cause)
{
	struct ctl_counter_reply reply;
	json_t *who = NULL;
	const char *office;
	int rc = -1;

	if (a->office[0] != '\0' && a->counter > 0)
		return 0;
	if (ctl_counter_request(c, EVHTTP_REQ_GET, PROTO_API_PREFIX "/whoami", NULL, &reply, cause) != 0)
		goto out;
	if (reply.status != 200) {
		ctl_counter_refused("the token", &reply);
		goto out;
	}
	if ((who = ctl_counter_json("the token", &reply)) == NULL)
		goto out;
	office = json_string_value(json_object_get(who, "office"));
	if (a->office[0] == '\0' && office != NULL && strcmp(office, "*") != 0)
		snprintf(a->office, sizeof(a->office), "%s", office);
	if (a->counter == 0)
		a->counter = (int)json_integer_value(json_object_get(who, "counter"));
	if (a->office[0] == '\0') {
		fprintf(stderr, "madoguchictl: this token serves every office: give --office CODE\n");
		goto out;
	}
	if (a->counter == 0) {
		fprintf(stderr, "madoguchictl: this token is not bound to one counter: give --counter N\n");
		goto out;
	}
	rc = 0;
out:
	free(reply.body);
	json_decref(who);
	return rc;
}

/* The id of the ticket at the counter now, when none was given. */
static int
ctl_counter_current(struct ctl_counter_client *c, struct ctl_counter_args *a, char **cause)
{
	struct ctl_counter_reply reply;
	json_t *counter = NULL;
	char *path = NULL;
	int rc = -1;

	if (a->id > 0)
		return 0;
	if (asprintf(&path, PROTO_API_PREFIX "/offices/%s/counters/%d", a->office, a->counter) < 0 ||
	    ctl_counter_request(c, EVHTTP_REQ_GET, path, NULL, &reply, cause) != 0)
		goto out;
	if (reply.status != 200) {
		ctl_counter_refused("the counter", &reply);
		goto out;
	}
	if ((counter = ctl_counter_json("the counter", &reply)) == NULL)
		goto out;
	a->id = json_integer_value(json_object_get(json_object_get(counter, "current"), "id"));
	if (a->id <= 0) {
		fprintf(stderr, "madoguchictl: counter %d holds no ticket now: give the ticket id\n", a->counter);
		goto out;
	}
	rc = 0;
out:
	free(reply.body);
	free(path);
	json_decref(counter);
	return rc;
}

/* The action's request: method, path and body. */
static int
ctl_counter_build(const struct ctl_counter_args *a, enum evhttp_cmd_type *method, char **path, json_t **body)
{
	int n = -1;

	*body = NULL;
	*method = EVHTTP_REQ_POST;
	switch (a->action->kind) {
	case KIND_CALL:
		n = asprintf(path, PROTO_API_PREFIX "/offices/%s/counters/%d/call", a->office, a->counter);
		break;
	case KIND_TICKET:
		n = asprintf(path, PROTO_API_PREFIX "/offices/%s/tickets/%lld/%s", a->office, a->id, a->action->arg);
		break;
	case KIND_TRANSFER:
		n = asprintf(path, PROTO_API_PREFIX "/offices/%s/tickets/%lld/transfer", a->office, a->id);
		*body = json_pack("{s:s}", "service", a->to);
		break;
	case KIND_STATE:
		*method = EVHTTP_REQ_PUT;
		n = asprintf(path, PROTO_API_PREFIX "/offices/%s/counters/%d", a->office, a->counter);
		*body = json_pack("{s:s}", "state", a->action->arg);
		break;
	}
	if (n < 0)
		*path = NULL;
	return n < 0 ? -1 : 0;
}

static void
ctl_counter_print(const struct ctl_counter_args *a, const struct ctl_counter_reply *reply, json_t *j)
{
	const char *label = json_string_value(json_object_get(j, "label"));

	if (a->json)
		printf("%s\n", reply->body);
	else if (a->action->kind == KIND_STATE)
		printf("counter %d %s\n", a->counter, a->action->done);
	else
		printf("%s %s (ticket %lld, counter %d)\n", label != NULL ? label : "?", a->action->done,
		       (long long)json_integer_value(json_object_get(j, "id")), a->counter);
}

int
ctl_counter_main(const char *server, const char *token, int argc, char **argv)
{
	struct ctl_counter_client client;
	struct ctl_counter_args a;
	struct ctl_counter_reply reply;
	enum evhttp_cmd_type method;
	json_t *body = NULL, *j = NULL;
	char *path = NULL, *cause = NULL;
	int rc = 2;

	memset(&client, 0, sizeof(client));
	memset(&reply, 0, sizeof(reply));
	server = server != NULL ? server : getenv("MADOGUCHI_SERVER");
	token = token != NULL ? token : getenv("MADOGUCHI_TOKEN");
	if (ctl_counter_find(argv[0]) == NULL || ctl_counter_parse(argc, argv, &a) != 0) {
		fprintf(stderr, "usage: madoguchictl --server URL --token TOKEN call|recall|start|done|no-show|pause|resume"
				" [--office CODE] [--counter N] [--json] [ID]\n"
				"       madoguchictl --server URL --token TOKEN transfer --to PROCEDURE [ID]\n"
				"  (MADOGUCHI_SERVER and MADOGUCHI_TOKEN may stand for --server and --token; office and\n"
				"   counter default to the token's; ID defaults to the counter's current ticket)\n");
		goto out;
	}
	if (server == NULL || token == NULL || token[0] == '\0') {
		fprintf(stderr, "madoguchictl: %s needs --server URL and --token TOKEN (or MADOGUCHI_SERVER and "
				"MADOGUCHI_TOKEN)\n", a.action->name);
		goto out;
	}
	rc = 1;
	client.token = token;
	if (ctl_counter_connect(&client, server, &cause) != 0 || ctl_counter_whoami(&client, &a, &cause) != 0)
		goto out;
	if ((a.action->kind == KIND_TICKET || a.action->kind == KIND_TRANSFER) &&
	    ctl_counter_current(&client, &a, &cause) != 0)
		goto out;
	if (ctl_counter_build(&a, &method, &path, &body) != 0 ||
	    ctl_counter_request(&client, method, path, body, &reply, &cause) != 0)
		goto out;
	if (reply.status == 204) {
		fprintf(stderr, "nobody waits for counter %d\n", a.counter);
		rc = 3;
	} else if (reply.status / 100 != 2) {
		ctl_counter_refused(a.action->name, &reply);
	} else if ((j = ctl_counter_json(a.action->name, &reply)) != NULL) {
		ctl_counter_print(&a, &reply, j);
		rc = 0;
	}
out:
	if (cause != NULL)
		fprintf(stderr, "madoguchictl: %s\n", cause);
	free(cause);
	free(path);
	free(reply.body);
	json_decref(body);
	json_decref(j);
	ctl_counter_close(&client);
	return rc;
}
