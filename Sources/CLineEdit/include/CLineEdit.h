/*
 * CLineEdit: typed, non-variadic wrappers around libedit for Swift.
 *
 * Swift cannot call C variadic functions (el_set, el_get, history), cannot read the
 * mutable C globals stdin/stdout/stderr under Swift 6 strict concurrency, and cannot
 * write an async-signal-safe signal handler. Each function here covers exactly one of
 * those gaps and nothing more.
 */
#ifndef CLINEEDIT_H
#define CLINEEDIT_H

#include <stdio.h>
#include <histedit.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Standard streams (the C globals are not concurrency-safe in Swift 6). ---- */

FILE *jle_stdin(void);
FILE *jle_stdout(void);
FILE *jle_stderr(void);

/* ---- el_set / el_get ---- */

/* A prompt callback, as libedit calls it. */
typedef char *(*jle_prompt_fn)(EditLine *);
/* A user editor function, as bound with EL_ADDFN. Returns a CC_* code. */
typedef unsigned char (*jle_editor_fn)(EditLine *, int);

/* EL_PROMPT_ESC: characters between two `delimiter` bytes are printed but take no width. */
int jle_set_prompt(EditLine *el, jle_prompt_fn fn, char delimiter);
/* EL_RPROMPT_ESC: the right-hand prompt, same delimiter convention. */
int jle_set_right_prompt(EditLine *el, jle_prompt_fn fn, char delimiter);
/* EL_EDITOR: "emacs" or "vi". */
int jle_set_editor(EditLine *el, const char *mode);
/* EL_SIGNAL: let libedit restore the tty and re-raise on SIGINT/SIGTSTP/SIGWINCH... */
int jle_set_signal_handling(EditLine *el, int enabled);
/* EL_HIST: attach a History so that Up/Down and searches walk it. */
int jle_set_history(EditLine *el, History *h);
/* EL_ADDFN: register a named editor function. */
int jle_add_function(EditLine *el, const char *name, const char *help, jle_editor_fn fn);
/* EL_BIND: bind one key sequence (e.g. "^I") to a named function. */
int jle_bind(EditLine *el, const char *keys, const char *function_name);
/* EL_CLIENTDATA, set and get: per-instance state for callbacks. */
int jle_set_client_data(EditLine *el, void *data);
void *jle_get_client_data(EditLine *el);
/* EL_EDITMODE (get): 1 when libedit edits, 0 when it only reads. */
int jle_get_edit_mode(EditLine *el);

/* ---- history() ---- */

int jle_history_set_size(History *h, int size);
int jle_history_set_unique(History *h, int unique);
/* H_ENTER; returns -1 on failure. */
int jle_history_enter(History *h, const char *line);
/* H_LOAD / H_SAVE; return the number of entries, or -1 on failure. */
int jle_history_load(History *h, const char *path);
int jle_history_save(History *h, const char *path);
int jle_history_clear(History *h);
/* H_GETSIZE: the number of entries held. */
int jle_history_count(History *h);
/*
 * Walks entries oldest first: H_LAST then H_PREV (libedit's "last" is the oldest).
 * `first` nonzero restarts the walk. Returns the entry, or NULL past the newest.
 * The pointer is owned by the History and valid until it changes.
 */
const char *jle_history_walk(History *h, int first);

/* ---- Terminal size ---- */

/* Columns of the terminal on `fd` (TIOCGWINSZ), or 0 when unknown. */
int jle_terminal_columns(int fd);

/* ---- SIGINT ---- */

/*
 * Installs a SIGINT handler with sigaction and sa_flags = 0 (no SA_RESTART, so a
 * blocking read returns EINTR). The handler only counts the signal in a
 * volatile sig_atomic_t; after `exit_after` unhandled signals (0 = never) it
 * calls _exit(130) so a command that never polls can still be killed.
 * It also unblocks SIGINT in the calling thread, which may have inherited a blocked mask.
 * Returns 0 on success, -1 with errno on failure. Idempotent.
 */
int jle_install_sigint_handler(int exit_after);
/* Returns nonzero if a SIGINT arrived since the last take/clear, and clears it. */
int jle_take_interrupt(void);
/* Returns nonzero if a SIGINT is pending, without clearing it. */
int jle_interrupt_pending(void);
/* Forgets any pending SIGINT. */
void jle_clear_interrupt(void);

#ifdef __cplusplus
}
#endif

#endif /* CLINEEDIT_H */
