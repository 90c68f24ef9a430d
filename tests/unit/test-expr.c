/* test-expr.c - the expression lexer, comparisons and integer arithmetic. */
#include <stdint.h>
#include <stdlib.h>

#include "expr.h"
#include "tap.h"

/* Compile `text` with i = 7, j = -3 and seed 42, then run it. */
struct result {
	int compiled;		/* expr_compile()'s return */
	const char *ran;	/* expr_run()'s, or "" */
	int64_t v;
	char err[128];
	unsigned long col;
};

static struct result eval(const char *text)
{
	static const struct expr_var vars[] = { { "i", 7 }, { "j", -3 } };
	struct expr_lexer lx;
	struct expr e;
	struct result r;

	memset(&r, 0, sizeof r);
	r.ran = "";
	expr_lex_init(&lx, text, NULL);
	r.compiled = expr_compile(&e, &lx, vars, 2, 42);
	if (r.compiled == 0) {
		r.ran = expr_run(&e, vars, &r.v);
		if (r.ran == NULL)
			r.ran = "ok";
	} else {
		snprintf(r.err, sizeof r.err, "%s", lx.err);
		r.col = lx.col;
	}
	expr_fini(&e);
	expr_lex_fini(&lx);
	return r;
}

#define ASSERT_VALUE(text, want)					\
	do {								\
		struct result r_ = eval(text);				\
		ASSERT_EQ(r_.compiled, 0);				\
		ASSERT_STREQ(r_.ran, "ok");				\
		ASSERT_EQ(r_.v, want);					\
	} while (0)

#define ASSERT_SYNTAX(text, msg, column)				\
	do {								\
		struct result r_ = eval(text);				\
		ASSERT_EQ(r_.compiled, -1);				\
		ASSERT_STREQ(r_.err, msg);				\
		ASSERT_UEQ(r_.col, column);				\
	} while (0)

#define ASSERT_RUNTIME(text, msg)					\
	do {								\
		struct result r_ = eval(text);				\
		ASSERT_EQ(r_.compiled, 0);				\
		ASSERT_STREQ(r_.ran, msg);				\
	} while (0)

TEST(precedence)
{
	ASSERT_VALUE("2 + 3 * 4", 14);
	ASSERT_VALUE("(2 + 3) * 4", 20);
	ASSERT_VALUE("20 - 4 - 3", 13);		/* left to right */
	ASSERT_VALUE("100 / 10 / 5", 2);
	ASSERT_VALUE("2 * 7 % 4", 2);		/* (2 * 7) % 4 */
	ASSERT_VALUE("-2 * -3", 6);
	ASSERT_VALUE("- -+5", 5);
	ASSERT_VALUE("1 - -1", 2);
	ASSERT_VALUE("  0x10 + 0XfF ", 271);
}

TEST(truncating_division)
{
	/* C's: toward zero, the remainder takes the dividend's sign */
	ASSERT_VALUE("7 / 2", 3);
	ASSERT_VALUE("-7 / 2", -3);
	ASSERT_VALUE("-7 % 3", -1);
	ASSERT_VALUE("7 % -3", 1);
}

TEST(variables)
{
	ASSERT_VALUE("i * 2 + j", 11);
	ASSERT_VALUE("seed", 42);
	ASSERT_VALUE("(i+j)*(i-j)", 40);
	ASSERT_SYNTAX("i + k", "unknown variable 'k'", 5);
	ASSERT_SYNTAX("i + seeds", "unknown variable 'seeds'", 5);
}

TEST(inner_variables_hide_outer_ones)
{
	static const struct expr_var vars[] = {
		{ "i", 1 }, { "seed", 5 }, { "i", 2 }
	};
	struct expr_lexer lx;
	struct expr e;
	int64_t v = 0;

	expr_lex_init(&lx, "i * 10 + seed", NULL);
	ASSERT_EQ(expr_compile(&e, &lx, vars, 3, 42), 0);
	ASSERT(expr_run(&e, vars, &v) == NULL);
	ASSERT_EQ(v, 25);
	expr_fini(&e);
	expr_lex_fini(&lx);
}

TEST(syntax_errors_and_their_columns)
{
	ASSERT_SYNTAX("", "empty expression", 1);
	ASSERT_SYNTAX("   ", "empty expression", 4);
	ASSERT_SYNTAX("1 +", "expression ends early", 4);
	ASSERT_SYNTAX("1 + * 2", "unexpected '*'", 5);
	ASSERT_SYNTAX("(1 + 2", "missing ')'", 7);
	ASSERT_SYNTAX("1 + 2)", "unexpected ')'", 6);
	ASSERT_SYNTAX("1 2", "unexpected '2'", 3);
	ASSERT_SYNTAX("1 + \x01", "unexpected byte 0x01", 5);
	ASSERT_SYNTAX("3 + 12ab", "bad number '12a'", 5);
	ASSERT_SYNTAX("1 + 9223372036854775808", "number too large", 5);
	ASSERT_VALUE("9223372036854775807", INT64_MAX);
}

TEST(the_first_error_is_the_one_kept)
{
	struct expr_lexer lx;

	expr_lex_init(&lx, "abc", NULL);
	ASSERT_EQ(expr_lex_fail(&lx, lx.text + 1, "first"), -1);
	ASSERT_EQ(expr_lex_fail(&lx, lx.text + 2, "second"), -1);
	ASSERT_STREQ(lx.err, "first");
	ASSERT_UEQ(lx.col, 2);
	expr_lex_fini(&lx);
}

TEST(nesting_limits)
{
	char deep[2 * EXPR_MAX_DEPTH + 8];
	size_t i, n = 0;

	for (i = 0; i < EXPR_MAX_DEPTH; i++)
		deep[n++] = '(';
	deep[n++] = '1';
	for (i = 0; i < EXPR_MAX_DEPTH; i++)
		deep[n++] = ')';
	deep[n] = '\0';
	ASSERT_VALUE(deep, 1);
	memmove(deep + 1, deep, n + 1);
	deep[0] = '-';
	ASSERT_SYNTAX(deep, "expression nested too deeply", 65);
}

TEST(overflow_and_division_by_zero)
{
	ASSERT_RUNTIME("9223372036854775807 + 1", "integer overflow");
	ASSERT_RUNTIME("-9223372036854775807 - 2", "integer overflow");
	ASSERT_RUNTIME("4611686018427387904 * 2", "integer overflow");
	ASSERT_RUNTIME("-(-9223372036854775807 - 1)", "integer overflow");
	ASSERT_RUNTIME("(-9223372036854775807 - 1) / -1", "integer overflow");
	ASSERT_VALUE("(-9223372036854775807 - 1) % -1", 0);
	ASSERT_VALUE("-9223372036854775807 - 1", INT64_MIN);
	ASSERT_RUNTIME("i / (j + 3)", "division by zero");
	ASSERT_RUNTIME("i % 0", "division by zero");
}

static bool is_word(char c)
{
	return c != ' ' && c != '(' && c != ')';
}

TEST(lexer_words_and_peeks)
{
	static const char text[] = "  ab(cd) rest";
	struct expr_lexer lx;
	const char *start;
	size_t n;

	/* the expression may end before the string does */
	expr_lex_init(&lx, text, text + 8);
	n = expr_lex_word(&lx, is_word, &start);
	ASSERT_UEQ(n, 2);
	ASSERT(strncmp(start, "ab", 2) == 0);
	ASSERT_EQ(expr_lex_peek(&lx), '(');
	lx.p++;
	n = expr_lex_word(&lx, is_word, &start);
	ASSERT_UEQ(n, 2);
	lx.p++;
	ASSERT_EQ(expr_lex_peek(&lx), '\0');
	ASSERT_UEQ(expr_lex_word(&lx, is_word, &start), 0);
	ASSERT_EQ(expr_lex_unexpected(&lx, "ends early"), -1);
	ASSERT_STREQ(lx.err, "ends early");
	ASSERT_UEQ(lx.col, 9);
	expr_lex_fini(&lx);
}

TEST(comparisons)
{
	static const struct {
		const char *text;
		int rc;
		enum expr_cmp cmp;
		const char *rest;
	} cases[] = {
		{ " < 3", 0, EXPR_LT, " 3" },
		{ "<=3", 0, EXPR_LE, "3" },
		{ ">", 0, EXPR_GT, "" },
		{ ">= 3", 0, EXPR_GE, " 3" },
		{ "== 3", 0, EXPR_EQ, " 3" },
		{ "!=3", 0, EXPR_NE, "3" },
		{ "= 3", -1, EXPR_LT, "= 3" },
		{ "=< 3", -1, EXPR_LT, "=< 3" },
		{ "! 3", -1, EXPR_LT, "! 3" },
		{ "", -1, EXPR_LT, "" },
	};
	struct expr_lexer lx;
	enum expr_cmp cmp;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		cmp = EXPR_LT;
		expr_lex_init(&lx, cases[i].text, NULL);
		if (expr_lex_cmp(&lx, &cmp) != cases[i].rc)
			TAP_FAIL("'%s': rc", cases[i].text);
		if (cmp != cases[i].cmp || strcmp(lx.p, cases[i].rest) != 0)
			TAP_FAIL("'%s': %s, then '%s'", cases[i].text,
			    expr_cmp_names[cmp], lx.p);
	}
	ASSERT(expr_cmp_holds(EXPR_LT, 1, 2));
	ASSERT(!expr_cmp_holds(EXPR_LT, 2, 2));
	ASSERT(expr_cmp_holds(EXPR_LE, 2, 2));
	ASSERT(expr_cmp_holds(EXPR_GT, 3, 2));
	ASSERT(!expr_cmp_holds(EXPR_GE, 1, 2));
	ASSERT(expr_cmp_holds(EXPR_EQ, 0.5, 0.5));
	ASSERT(expr_cmp_holds(EXPR_NE, 0.5, 0.25));
}

TEST(format)
{
	char buf[24];

	ASSERT_UEQ(expr_fmt_i64(buf, 0), 1);
	ASSERT_STREQ(buf, "0");
	ASSERT_UEQ(expr_fmt_i64(buf, -1234), 5);
	ASSERT_STREQ(buf, "-1234");
	expr_fmt_i64(buf, INT64_MIN);
	ASSERT_STREQ(buf, "-9223372036854775808");
	expr_fmt_i64(buf, INT64_MAX);
	ASSERT_STREQ(buf, "9223372036854775807");
}

int main(void)
{
	RUN(precedence);
	RUN(truncating_division);
	RUN(variables);
	RUN(inner_variables_hide_outer_ones);
	RUN(syntax_errors_and_their_columns);
	RUN(the_first_error_is_the_one_kept);
	RUN(nesting_limits);
	RUN(overflow_and_division_by_zero);
	RUN(lexer_words_and_peeks);
	RUN(comparisons);
	RUN(format);
	return tap_done();
}
