/* eval.h: the tree-walking evaluator.
 *
 * Both functions return 0 on success or -1 after recording an error in s->err
 * (with the node's line:col). On success eval_expr stores a new reference in
 * *out that the caller must release with val_decref. Variables assigned before
 * an error keep their new values (as in Python). */
#ifndef LANG_EVAL_H
#define LANG_EVAL_H

#include "ast.h"
#include "sess.h"
#include "value.h"

int eval_expr(lt_session *s, const ast_node *n, value *out);
int eval_stmt(lt_session *s, const ast_node *n);
/* Runs the statements of an AST_BLOCK (stops early after a `return`). */
int eval_block(lt_session *s, const ast_node *n);
/* Binds name to v in the current scope (the function's, else the session's), taking
 * v's reference. */
int eval_set_var(lt_session *s, const ast_node *at, const char *name, value v);

/* Calls the function defined by def (an AST_FN or AST_NET) with a's positional
 * arguments bound to its parameters in a new local scope; *out is what `return`
 * gave, or none. 0, or -1 with the error recorded. */
struct bi_args;
int eval_fn_apply(lt_session *s, const ast_node *def, struct bi_args *a, value *out);

/* Where a name stands, for "did you mean": anywhere (help("...")), as a value, or as
 * the callee of a call. */
typedef enum eval_kind { EVAL_ANY, EVAL_VALUE, EVAL_CALLEE } eval_kind;

/* Fills *out with the name nearest to `name` (diag_close) of the right kind: for a
 * callee the builtins and the variables that can be called, for a value the variables,
 * builtins and true/false/none, for EVAL_ANY every keyword too. Returns 0 if none is
 * close. */
int eval_suggest(const lt_session *s, const char *name, eval_kind kind, const char **out);

#endif
