/*
** test_escape.c -- the one escaping rule (diag.c) and the UTF-8 checks.
**
** diag_quote, diag_escape, diag_put and the net in diag_fail against fixed
** strings: control characters, quotes, backslashes, valid and invalid
** UTF-8 (overlong forms, surrogates, code points past U+10FFFF, cut
** sequences), truncation; diag_utf8_valid on the RFC 3629 edge cases; and
** pb_utf8_valid on a hand-built Model, naming the field at fault.
*/
#include <stdio.h>
#include <string.h>

#include "base/diag.h"
#include "Model.pb-c.h"
#include "spec/pbcheck.h"
#include "testkit.h"

static void quote_is(const char *in, const char *want)
{
	char q[DIAG_QUOTE_MAX];

	diag_quote(q, in);
	if (strcmp(q, want) != 0) {
		tk_failures++;
		fprintf(stderr, "diag_quote: got '%s', want '%s'\n", q, want);
	}
}

static void put_is(const char *in, const char *want)
{
	char buf[256] = "";
	FILE *f = fmemopen(buf, sizeof buf, "w");
	size_t n;

	if (!f) {
		tk_failures++;
		return;
	}
	n = diag_put(f, in);
	fclose(f);
	CHECK(n == strlen(want));
	if (strcmp(buf, want) != 0) {
		tk_failures++;
		fprintf(stderr, "diag_put: got '%s', want '%s'\n", buf, want);
	}
}

static void utf8_cases(void)
{
	CHECK(diag_utf8_valid("", 0));
	CHECK(diag_utf8_valid("plain ascii", 11));
	CHECK(diag_utf8_valid("\xc3\xa9", 2));		/* é */
	CHECK(diag_utf8_valid("\xe2\x82\xac", 3));	/* € */
	CHECK(diag_utf8_valid("\xf0\x9f\x98\x80", 4));	/* U+1F600 */
	CHECK(diag_utf8_valid("\xf4\x8f\xbf\xbf", 4));	/* U+10FFFF */
	CHECK(!diag_utf8_valid("\xf4\x90\x80\x80", 4)); /* U+110000 */
	CHECK(!diag_utf8_valid("\xc0\xaf", 2));		/* overlong '/' */
	CHECK(!diag_utf8_valid("\xe0\x80\xaf", 3));	/* overlong '/' */
	CHECK(!diag_utf8_valid("\xed\xa0\x80", 3));	/* surrogate U+D800 */
	CHECK(!diag_utf8_valid("\xc3", 1));		/* cut */
	CHECK(!diag_utf8_valid("\xe2\x82", 2));		/* cut */
	CHECK(!diag_utf8_valid("a\xffz", 3));
	CHECK(!diag_utf8_valid("\x80", 1)); /* lone continuation byte */
}

static void quote_cases(void)
{
	char long_name[200], want[DIAG_QUOTE_MAX];

	quote_is("plain", "plain");
	quote_is("a\nmlcc: error: b", "a\\nmlcc: error: b");
	quote_is("tab\there\r", "tab\\there\\r");
	quote_is("it's \"q\" \\", "it\\'s \\\"q\\\" \\\\");
	quote_is("\x01\x7f", "\\x01\\x7f");
	quote_is("caf\xc3\xa9", "caf\xc3\xa9");
	quote_is("caf\xe9", "caf\\xe9");
	quote_is("\xed\xa0\x80", "\\xed\\xa0\\x80");
	quote_is("\xf0\x9f\x98", "\\xf0\\x9f\\x98");
	memset(long_name, 'n', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	memset(want, 'n', DIAG_QUOTE_MAX - 5);
	strcpy(want + DIAG_QUOTE_MAX - 5, "...");
	quote_is(long_name, want);
	/* An escape is never cut in half. */
	memset(long_name, 'n', DIAG_QUOTE_MAX - 6);
	strcpy(long_name + DIAG_QUOTE_MAX - 6, "\n\nmore");
	memset(want, 'n', DIAG_QUOTE_MAX - 6);
	strcpy(want + DIAG_QUOTE_MAX - 6, "...");
	quote_is(long_name, want);
}

static void put_and_escape_cases(void)
{
	char buf[16];

	put_is("a\nb 'q' \\", "a\\nb 'q' \\");
	put_is("\xff\xc3\xa9", "\\xff\xc3\xa9");
	put_is(NULL, "");
	CHECK(strcmp(diag_escape(buf, sizeof buf, "x\ny"), "x\\ny") == 0);
	CHECK(strcmp(diag_escape(buf, sizeof buf, "0123456789abcdef"), "0123456789ab...") == 0);
}

static void net_cases(void)
{
	struct mlcc_diag d = {0, ""};

	diag_fail(&d, MLCC_E_CORRUPT, "%s: bad name %s", "/tmp/p\n.mlpackage", "x\xff\ty");
	CHECK(d.status == MLCC_E_CORRUPT);
	CHECK(strcmp(d.message, "/tmp/p\\n.mlpackage: bad name x\\xff\\ty") == 0);
	/* Quoted names pass the net unchanged: no double escaping. */
	char q[DIAG_QUOTE_MAX];
	diag_clear(&d);
	diag_fail(&d, MLCC_E_CORRUPT, "op '%s'", diag_quote(q, "a\nb\\c"));
	CHECK(strcmp(d.message, "op 'a\\nb\\\\c'") == 0);
	/* diag_replace's text is escaped too. */
	diag_replace(&d, "op", "new\nop");
	CHECK(strcmp(d.message, "new\\nop 'a\\nb\\\\c'") == 0);
	/* An emitter's "<name>: ..." gets the file's path. */
	diag_clear(&d);
	diag_fail(&d, MLCC_E_NOMEM, "metadata.json: out of memory");
	diag_name_file(&d, "metadata.json", "/o/x.mlmodelc/metadata.json");
	CHECK(strcmp(d.message, "/o/x.mlmodelc/metadata.json: out of memory") == 0);
	diag_name_file(&d, "metadata.json", "/again");
	CHECK(strcmp(d.message, "/o/x.mlmodelc/metadata.json: out of memory") == 0);
}

static void pb_cases(void)
{
	CoreML__Specification__Model m = CORE_ML__SPECIFICATION__MODEL__INIT;
	CoreML__Specification__ModelDescription desc =
		CORE_ML__SPECIFICATION__MODEL_DESCRIPTION__INIT;
	CoreML__Specification__Metadata md = CORE_ML__SPECIFICATION__METADATA__INIT;
	CoreML__Specification__Metadata__UserDefinedEntry e0 =
		CORE_ML__SPECIFICATION__METADATA__USER_DEFINED_ENTRY__INIT;
	CoreML__Specification__Metadata__UserDefinedEntry e1 =
		CORE_ML__SPECIFICATION__METADATA__USER_DEFINED_ENTRY__INIT;
	CoreML__Specification__Metadata__UserDefinedEntry *entries[2] = {&e0, &e1};
	CoreML__Specification__FeatureDescription in =
		CORE_ML__SPECIFICATION__FEATURE_DESCRIPTION__INIT;
	CoreML__Specification__FeatureDescription *ins[1] = {&in};
	char where[128];

	m.description = &desc;
	desc.metadata = &md;
	desc.n_input = 1;
	desc.input = ins;
	in.name = "x";
	md.author = "caf\xc3\xa9";
	md.n_userdefined = 2;
	md.userdefined = entries;
	e0.key = "k";
	e0.value = "v";
	e1.key = "k2";
	e1.value = "v\xff";
	CHECK(!pb_utf8_valid(&m.base, where, sizeof where));
	CHECK(strcmp(where, "description.metadata.userDefined[1].value") == 0);
	e1.value = "v";
	CHECK(pb_utf8_valid(&m.base, where, sizeof where));
	in.name = "\xc0\xaf";
	CHECK(!pb_utf8_valid(&m.base, where, sizeof where));
	CHECK(strcmp(where, "description.input[0].name") == 0);
	/* A cut path stays terminated. */
	CHECK(!pb_utf8_valid(&m.base, where, 12));
	CHECK(strlen(where) < 12);
}

int main(void)
{
	utf8_cases();
	quote_cases();
	put_and_escape_cases();
	net_cases();
	pb_cases();
	if (tk_failures)
		fprintf(stderr, "test_escape: %d failed\n", tk_failures);
	return tk_failures != 0;
}
