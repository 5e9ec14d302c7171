/*
 * A growable byte buffer, always NUL-terminated. The buffer owns its memory;
 * buf_free() releases it. Functions return 0 on success, -1 when memory runs
 * out (the buffer is then left as it was).
 */
#ifndef COCKPIT_BUF_H
#define COCKPIT_BUF_H

#include <stddef.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

int	buf_append(struct buf *, const char *, size_t);
int	buf_puts(struct buf *, const char *);
int	buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	buf_json_string(struct buf *, const char *);
void	buf_reset(struct buf *);
void	buf_free(struct buf *);

#endif
