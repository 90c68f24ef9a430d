/*
 * expr.h - the small expressions of kmsim's input: the `${expr}`
 * substitutions of YAML traces (kmsim-trace(5)) and the threshold checks
 * of kmsim-sweep --check (kmsim-sweep(1)).
 *
 * The two languages are not one.  `${expr}` is 64-bit signed integer
 * arithmetic over loop variables:
 *
 *   expr    := term (('+' | '-') term)*
 *   term    := unary (('*' | '/' | '%') unary)*
 *   unary   := ('-' | '+') unary | primary
 *   primary := NUMBER | NAME | '(' expr ')'
 *
 * compiled once into a postfix program and run for each op.  A check is
 * a call compared with a real number, `p99(alloc_pages) < 5000`, whose
 * words hold dots, dashes and pluses (zone names, `1e-3`), which an
 * arithmetic lexer would split.  What they share is here: the lexer over
 * an expression's text (blanks, words, numbers, the first error and its
 * column), the comparison operators and their evaluation, and the
 * arithmetic compiler and evaluator.
 */
#ifndef KMSIM_EXPR_H
#define KMSIM_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kmsim.h"

#define EXPR_MAX_DEPTH	64	/* parentheses and unary signs */
#define EXPR_STACK	160	/* enough for EXPR_MAX_DEPTH */

/* A cursor over an expression's text. */
struct expr_lexer {
	const char *text;	/* columns count from here */
	const char *p;		/* the next character */
	const char *end;
	char *err;		/* the first error (owned), without position */
	unsigned long col;	/* its 1-based column in text */
};

/* Start at text[0]; the expression ends at `end` (NULL: at the NUL). */
void expr_lex_init(struct expr_lexer *lx, const char *text, const char *end);
void expr_lex_fini(struct expr_lexer *lx);
void expr_lex_skip_ws(struct expr_lexer *lx);
/* The next character, '\0' at the end. */
char expr_lex_peek(const struct expr_lexer *lx);
/* The characters of a word from p on (after blanks), for is_word(). */
size_t expr_lex_word(struct expr_lexer *lx, bool (*is_word)(char),
    const char **start);
/*
 * Record an error at `at` (a pointer into text) unless one has been
 * recorded already: the first error is the one to report.  Returns -1.
 */
int expr_lex_fail(struct expr_lexer *lx, const char *at, const char *fmt,
    ...) KMSIM_PRINTF(3, 4);
/* "unexpected 'x'", "unexpected byte 0x01" or, at the end, `at_end`. */
int expr_lex_unexpected(struct expr_lexer *lx, const char *at_end);

/* Comparisons: a check's threshold. */
enum expr_cmp { EXPR_LT, EXPR_LE, EXPR_GT, EXPR_GE, EXPR_EQ, EXPR_NE };
extern const char *const expr_cmp_names[];	/* "<", "<=", ... */
/* The operator at p (after blanks), consumed; -1 if none. */
int expr_lex_cmp(struct expr_lexer *lx, enum expr_cmp *out);
bool expr_cmp_holds(enum expr_cmp cmp, double v, double threshold);

/* A variable in scope: a loop variable of a YAML trace's repeats. */
struct expr_var {
	const char *name;
	int64_t value;
};

/* A compiled arithmetic expression. */
enum expr_op {
	EXPR_CONST,		/* push v */
	EXPR_VAR,		/* push the value of variable v of the scope */
	EXPR_NEG,
	EXPR_ADD,
	EXPR_SUB,
	EXPR_MUL,
	EXPR_DIV,
	EXPR_MOD
};

struct expr_insn {
	enum expr_op op;
	int64_t v;
};

struct expr {
	struct expr_insn *code;	/* owned; at least one insn once compiled */
	size_t n;
};

/*
 * Compile [text, end) against the variables in scope[0 .. nscope-1]
 * (inner ones last: they hide outer ones of the same name); `seed` is the
 * value of the name `seed` when no variable hides it.  0, or -1 with the
 * message and its column in lx (lx->err: "unknown variable 'j'", "missing
 * ')'", "division by zero" is not found here but by expr_run()).  The
 * code compiled so far is kept in e either way; free with expr_fini().
 */
int expr_compile(struct expr *e, struct expr_lexer *lx,
    const struct expr_var *scope, size_t nscope, int64_t seed);
void expr_fini(struct expr *e);
/* Run with the values of the same scope: NULL, or what went wrong
 * ("integer overflow", "division by zero"). */
const char *expr_run(const struct expr *e, const struct expr_var *vars,
    int64_t *out);

/* Decimal digits of v into buf (at least 21 bytes); returns the length. */
size_t expr_fmt_i64(char *buf, int64_t v);

#endif /* KMSIM_EXPR_H */
