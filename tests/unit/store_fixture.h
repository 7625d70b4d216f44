/* store_fixture: helpers shared by the store's tests (store_fixture.c). */
#ifndef DH_STORE_FIXTURE_H
#define DH_STORE_FIXTURE_H

#include "store.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COURSE "org.example.awareness"
#define VERSION "1.0.0"
#define VERB_ANSWERED "http://adlnet.gov/expapi/verbs/answered"

extern char root[256]; /* the current test's fresh folder under /tmp */

/* cmocka setup/teardown: make root, and remove it with everything inside. */
int setup(void **state);
int teardown(void **state);
/* root/name in buf. */
const char *in_root(char *buf, size_t size, const char *name);
/* Fail unless got == want and err->msg contains part (part may be NULL). */
void expect(dh_Status got, dh_Status want, const dh_Error *err, const char *part);
/* Open the store in dir or fail the test; notice may be NULL. */
dh_Store *open_ok(const char *dir, dh_StoreNotice *notice);
/* A clock reading *(int64_t *)ctx, for dh_store_set_clock. */
int64_t fixed_clock(void *ctx);
/* Register trainee id ("Trainee <id>") or fail. */
void make_trainee(dh_Store *s, const char *id);
/* The current attempt of trainee at COURSE/VERSION, or fail. */
dh_Enrolment enrol_ok(dh_Store *s, const char *trainee);
/* The statement id of answer k, a fixed function of k. */
void answer_id(char out[DH_UUID_LEN + 1], long k);
/* A small xAPI-shaped statement with this id and verb, response k. */
void statement_json(char *buf, size_t size, const char *id, const char *verb, long k);
/* Commit answer k: module "quiz" with attempts = k and a `blob`-byte resume
 * blob derived from k, plus the statement answer_id(k). */
dh_Status commit_answer(dh_Store *s, const char *registration, long k, size_t blob,
                        dh_Error *err);
/* attempts of module "quiz" in the attempt, or -1 if it has no state. */
int module_attempts(dh_Store *s, const char *registration);
/* Is the statement with this id in the journal? */
bool has_statement(dh_Store *s, const char *id);
/* Number of statements in the journal. */
int64_t statement_count(dh_Store *s);

/* Plain sqlite3, with extended result codes; each fails the test on error. */
sqlite3 *raw_open(const char *path);
void raw_exec(sqlite3 *db, const char *sql);
int raw_rc(sqlite3 *db, const char *sql);        /* the result code, no failure */
long long raw_int(sqlite3 *db, const char *sql); /* first column of the first row */

/* Whole files: read (free() the result; NULL if missing) and write. */
unsigned char *slurp(const char *path, size_t *len);
void spit(const char *path, const void *data, size_t len);
/* Entries of dir whose names start with prefix; the first goes to out. */
int find_prefixed(const char *dir, const char *prefix, char *out, size_t size);

#endif
