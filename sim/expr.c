/*
 * expr.c - the lexer, comparisons and integer arithmetic shared by the
 * `${expr}` substitutions of YAML traces and kmsim-sweep --check
 * (expr.h).
 *
 * An arithmetic expression is compiled once, when its template is
 * checked, into a short postfix program over a value stack; variables are
 * resolved then to their index in the scope, which is the index of their
 * value when the program runs.  Running checks what depends on the
 * values: overflow and division by zero.
 */
#include "expr.h"

#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the lexer ---- */

void expr_lex_init(struct expr_lexer *lx, const char *text, const char *end)
{
	lx->text = text;
	lx->p = text;
	lx->end = end != NULL ? end : text + strlen(text);
	lx->err = NULL;
	lx->col = 0;
}

void expr_lex_fini(struct expr_lexer *lx)
{
	free(lx->err);
	lx->err = NULL;
}

void expr_lex_skip_ws(struct expr_lexer *lx)
{
	while (lx->p < lx->end && isspace((unsigned char)*lx->p))
		lx->p++;
}

char expr_lex_peek(const struct expr_lexer *lx)
{
	return lx->p < lx->end ? *lx->p : '\0';
}

size_t expr_lex_word(struct expr_lexer *lx, bool (*is_word)(char),
    const char **start)
{
	expr_lex_skip_ws(lx);
	*start = lx->p;
	while (lx->p < lx->end && is_word(*lx->p))
		lx->p++;
	return (size_t)(lx->p - *start);
}

int expr_lex_fail(struct expr_lexer *lx, const char *at, const char *fmt,
    ...)
{
	va_list ap;

	if (lx->err != NULL)
		return -1;
	va_start(ap, fmt);
	xvasprintf(&lx->err, fmt, ap);
	va_end(ap);
	lx->col = (unsigned long)(at - lx->text) + 1;
	return -1;
}

int expr_lex_unexpected(struct expr_lexer *lx, const char *at_end)
{
	unsigned char c;

	if (lx->p >= lx->end)
		return expr_lex_fail(lx, lx->p, "%s", at_end);
	c = (unsigned char)*lx->p;
	if (isprint(c))
		return expr_lex_fail(lx, lx->p, "unexpected '%c'", c);
	return expr_lex_fail(lx, lx->p, "unexpected byte 0x%02x", c);
}

/* ---- comparisons ---- */

const char *const expr_cmp_names[] = {
	[EXPR_LT] = "<",
	[EXPR_LE] = "<=",
	[EXPR_GT] = ">",
	[EXPR_GE] = ">=",
	[EXPR_EQ] = "==",
	[EXPR_NE] = "!=",
};

int expr_lex_cmp(struct expr_lexer *lx, enum expr_cmp *out)
{
	size_t i, len, left;

	expr_lex_skip_ws(lx);
	left = (size_t)(lx->end - lx->p);
	for (i = EXPR_NE + 1; i-- > 0;) {	/* "<=" before "<" */
		len = strlen(expr_cmp_names[i]);
		if (len <= left &&
		    strncmp(lx->p, expr_cmp_names[i], len) == 0 &&
		    (len == 2 || left == 1 || lx->p[1] != '='))
			break;
	}
	if (i == (size_t)-1)
		return -1;
	*out = (enum expr_cmp)i;
	lx->p += strlen(expr_cmp_names[i]);
	return 0;
}

bool expr_cmp_holds(enum expr_cmp cmp, double v, double threshold)
{
	switch (cmp) {
	case EXPR_LT:
		return v < threshold;
	case EXPR_LE:
		return v <= threshold;
	case EXPR_GT:
		return v > threshold;
	case EXPR_GE:
		return v >= threshold;
	case EXPR_EQ:
		return v == threshold;
	default:
		return v != threshold;
	}
}

/* ---- integer arithmetic ---- */

struct expr_compiler {
	struct expr_lexer *lx;
	const struct expr_var *scope;
	size_t nscope;
	int64_t seed;		/* the value of `seed` */
	unsigned depth;
	struct expr *e;
	size_t cap;
	int sp;
};

static int expr_sum(struct expr_compiler *c);

static int expr_emit(struct expr_compiler *c, enum expr_op op, int64_t v)
{
	struct expr *e = c->e;

	if (e->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 8;
		e->code = xreallocarray(e->code, c->cap, sizeof *e->code);
	}
	e->code[e->n].op = op;
	e->code[e->n].v = v;
	e->n++;
	if (op == EXPR_CONST || op == EXPR_VAR)
		c->sp++;
	else if (op != EXPR_NEG)
		c->sp--;
	if (c->sp > EXPR_STACK)
		return expr_lex_fail(c->lx, c->lx->p, "expression too complex");
	return 0;
}

static int expr_number(struct expr_compiler *c)
{
	struct expr_lexer *lx = c->lx;
	const char *start = lx->p;
	unsigned base = 10, d;
	uint64_t x = 0;

	if (lx->end - lx->p > 2 && lx->p[0] == '0' &&
	    (lx->p[1] == 'x' || lx->p[1] == 'X') &&
	    isxdigit((unsigned char)lx->p[2])) {
		base = 16;
		lx->p += 2;
	}
	for (; lx->p < lx->end; lx->p++) {
		if (isdigit((unsigned char)*lx->p))
			d = (unsigned)(*lx->p - '0');
		else if (base == 16 && isxdigit((unsigned char)*lx->p))
			d = (unsigned)(tolower((unsigned char)*lx->p) - 'a' +
			    10);
		else
			break;
		if (x > ((uint64_t)INT64_MAX - d) / base)
			return expr_lex_fail(lx, start, "number too large");
		x = x * base + d;
	}
	if (lx->p < lx->end &&
	    (isalpha((unsigned char)*lx->p) || *lx->p == '_'))
		return expr_lex_fail(lx, start, "bad number '%.*s'",
		    (int)(lx->p - start + 1), start);
	return expr_emit(c, EXPR_CONST, (int64_t)x);
}

static bool expr_name_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_';
}

static int expr_name(struct expr_compiler *c)
{
	const char *start;
	size_t n, i;

	n = expr_lex_word(c->lx, expr_name_char, &start);
	for (i = c->nscope; i-- > 0;) {
		if (strlen(c->scope[i].name) == n &&
		    strncmp(c->scope[i].name, start, n) == 0)
			return expr_emit(c, EXPR_VAR, (int64_t)i);
	}
	/* the run's seed (--seed), unless a loop variable hides it */
	if (n == 4 && strncmp(start, "seed", 4) == 0)
		return expr_emit(c, EXPR_CONST, c->seed);
	return expr_lex_fail(c->lx, start, "unknown variable '%.*s'", (int)n,
	    start);
}

static int expr_unary(struct expr_compiler *c)
{
	struct expr_lexer *lx = c->lx;
	char ch;
	int rc;

	expr_lex_skip_ws(lx);
	if (lx->p >= lx->end)
		return expr_lex_unexpected(lx, "expression ends early");
	ch = *lx->p;
	if (ch == '-' || ch == '+' || ch == '(') {
		if (++c->depth > EXPR_MAX_DEPTH)
			return expr_lex_fail(lx, lx->p, "expression nested too "
			    "deeply");
		lx->p++;
		if (ch == '(') {
			rc = expr_sum(c);
			if (rc == 0) {
				expr_lex_skip_ws(lx);
				if (lx->p >= lx->end || *lx->p != ')')
					rc = expr_lex_fail(lx, lx->p,
					    "missing ')'");
				else
					lx->p++;
			}
		} else {
			rc = expr_unary(c);
			if (rc == 0 && ch == '-')
				rc = expr_emit(c, EXPR_NEG, 0);
		}
		c->depth--;
		return rc;
	}
	if (isdigit((unsigned char)ch))
		return expr_number(c);
	if (isalpha((unsigned char)ch) || ch == '_')
		return expr_name(c);
	return expr_lex_unexpected(lx, "expression ends early");
}

static int expr_term(struct expr_compiler *c)
{
	struct expr_lexer *lx = c->lx;
	enum expr_op op;

	if (expr_unary(c) != 0)
		return -1;
	for (;;) {
		expr_lex_skip_ws(lx);
		switch (expr_lex_peek(lx)) {
		case '*':
			op = EXPR_MUL;
			break;
		case '/':
			op = EXPR_DIV;
			break;
		case '%':
			op = EXPR_MOD;
			break;
		default:
			return 0;
		}
		lx->p++;
		if (expr_unary(c) != 0 || expr_emit(c, op, 0) != 0)
			return -1;
	}
}

static int expr_sum(struct expr_compiler *c)
{
	struct expr_lexer *lx = c->lx;
	enum expr_op op;

	if (expr_term(c) != 0)
		return -1;
	for (;;) {
		expr_lex_skip_ws(lx);
		if (expr_lex_peek(lx) != '+' && expr_lex_peek(lx) != '-')
			return 0;
		op = *lx->p == '+' ? EXPR_ADD : EXPR_SUB;
		lx->p++;
		if (expr_term(c) != 0 || expr_emit(c, op, 0) != 0)
			return -1;
	}
}

int expr_compile(struct expr *e, struct expr_lexer *lx,
    const struct expr_var *scope, size_t nscope, int64_t seed)
{
	struct expr_compiler c;

	memset(&c, 0, sizeof c);
	c.lx = lx;
	c.scope = scope;
	c.nscope = nscope;
	c.seed = seed;
	c.e = e;
	e->code = NULL;
	e->n = 0;
	expr_lex_skip_ws(lx);
	if (lx->p == lx->end)
		return expr_lex_fail(lx, lx->p, "empty expression");
	if (expr_sum(&c) == 0) {
		expr_lex_skip_ws(lx);
		if (lx->p < lx->end)
			expr_lex_unexpected(lx, "expression ends early");
	}
	if (lx->err == NULL)
		return 0;
	expr_fini(e);
	return -1;
}

void expr_fini(struct expr *e)
{
	free(e->code);
	e->code = NULL;
	e->n = 0;
}

const char *expr_run(const struct expr *e, const struct expr_var *vars,
    int64_t *out)
{
	int64_t st[EXPR_STACK], a, b;
	size_t i;
	int sp = 0;

	st[0] = 0;	/* a compiled expression has at least one insn */
	for (i = 0; i < e->n; i++) {
		const struct expr_insn *in = &e->code[i];

		switch (in->op) {
		case EXPR_CONST:
			assert(sp < EXPR_STACK);
			st[sp++] = in->v;
			continue;
		case EXPR_VAR:
			assert(sp < EXPR_STACK);
			st[sp++] = vars[in->v].value;
			continue;
		case EXPR_NEG:
			assert(sp >= 1);
			if (st[sp - 1] == INT64_MIN)
				return "integer overflow";
			st[sp - 1] = -st[sp - 1];
			continue;
		default:
			break;
		}
		/* the compiler emits well-formed code */
		assert(sp >= 2);
		b = st[--sp];
		a = st[sp - 1];
		switch (in->op) {
		case EXPR_ADD:
			if (__builtin_add_overflow(a, b, &st[sp - 1]))
				return "integer overflow";
			break;
		case EXPR_SUB:
			if (__builtin_sub_overflow(a, b, &st[sp - 1]))
				return "integer overflow";
			break;
		case EXPR_MUL:
			if (__builtin_mul_overflow(a, b, &st[sp - 1]))
				return "integer overflow";
			break;
		case EXPR_DIV:
		case EXPR_MOD:
			if (b == 0)
				return "division by zero";
			if (a == INT64_MIN && b == -1) {
				if (in->op == EXPR_DIV)
					return "integer overflow";
				st[sp - 1] = 0;
			} else
				st[sp - 1] = in->op == EXPR_DIV ? a / b : a % b;
			break;
		default:
			break;
		}
	}
	*out = st[0];
	return NULL;
}

size_t expr_fmt_i64(char *buf, int64_t v)
{
	char tmp[24];
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	size_t n = 0, len = 0;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		buf[len++] = '-';
	while (n > 0)
		buf[len++] = tmp[--n];
	buf[len] = '\0';
	return len;
}
