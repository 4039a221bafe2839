// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * agent_path.c - where an agent's socket lives, and which sockets and directories a mover trusts.
 *
 * A pathname socket (never an abstract one: those have no permissions and any process of the
 * network namespace can take a name), named after the pid as the target sees itself:
 *	euid 0:		/run/pagemig/PID.sock			(directory 0755, root's)
 *	other euids:	/run/user/EUID/pagemig/PID.sock		(when /run/user/EUID is the user's)
 *			/tmp/pagemig-EUID/PID.sock		(otherwise; directory 0700, the user's)
 * or in the directory both sides are given.  The socket is 0600 and owned by the target's euid.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "agent.h"

int agent_dirs(uid_t euid, const char *override, char dirs[AGENT_MAX_DIRS][AGENT_DIR_MAX])
{
	if (override) {
		if (override[0] != '/' || strlen(override) >= AGENT_DIR_MAX)
			return -EINVAL;
		snprintf(dirs[0], AGENT_DIR_MAX, "%s", override);
		return 1;
	}
	if (euid == 0) {
		snprintf(dirs[0], AGENT_DIR_MAX, "/run/pagemig");
		return 1;
	}
	snprintf(dirs[0], AGENT_DIR_MAX, "/run/user/%u/pagemig", (unsigned int)euid);
	snprintf(dirs[1], AGENT_DIR_MAX, "/tmp/pagemig-%u", (unsigned int)euid);
	return 2;
}

int agent_dir_check(const struct stat *st, uid_t euid, char *why, size_t len)
{
	if (!S_ISDIR(st->st_mode))
		return snprintf(why, len, "not a directory"), -ENOTDIR;
	if (st->st_uid != euid && st->st_uid != 0)
		return snprintf(why, len, "directory owned by uid %u, not %u or root", (unsigned int)st->st_uid,
				(unsigned int)euid), -EPERM;
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return snprintf(why, len, "directory writable by others (mode %04o)", (unsigned int)st->st_mode & 07777),
		       -EPERM;
	return 0;
}

int agent_sock_check(const struct stat *st, uid_t euid, char *why, size_t len)
{
	if (S_ISLNK(st->st_mode))
		return snprintf(why, len, "a symbolic link"), -EPERM;
	if (!S_ISSOCK(st->st_mode))
		return snprintf(why, len, "not a socket"), -EPERM;
	if (st->st_uid != euid)
		return snprintf(why, len, "owned by uid %u, not the target's euid %u", (unsigned int)st->st_uid,
				(unsigned int)euid), -EPERM;
	if (st->st_mode & 077)
		return snprintf(why, len, "open to group or others (mode %04o)", (unsigned int)st->st_mode & 07777),
		       -EPERM;
	return 0;
}

/* Create @path (mode @mode) unless it exists; then open it without following a final symlink. */
static int make_dir(const char *path, mode_t mode)
{
	if (mkdir(path, mode) && errno != EEXIST)
		return -errno;
	return sys_open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int agent_dir_make(uid_t euid, const char *override, char *dir, size_t dlen, char *why, size_t wlen)
{
	char dirs[AGENT_MAX_DIRS][AGENT_DIR_MAX], parent[64];
	struct stat st;
	int n = agent_dirs(euid, override, dirs), i = 0, fd, err;

	if (n < 0)
		return snprintf(why, wlen, "socket directory must be an absolute path"), n;
	if (!override && euid) {
		/* /run/user/EUID only when the user's session made it */
		snprintf(parent, sizeof(parent), "/run/user/%u", (unsigned int)euid);
		if (stat(parent, &st) || !S_ISDIR(st.st_mode) || st.st_uid != euid)
			i = 1;
	}
	fd = make_dir(dirs[i], euid && !override ? 0700 : 0755);
	if (fd < 0)
		return snprintf(why, wlen, "cannot create '%s': %s", dirs[i], strerror(-fd)), fd;
	if (fstat(fd, &st)) {
		err = -errno;
		sys_close(fd);
		return err;
	}
	err = agent_dir_check(&st, euid, why, wlen);
	if (!err && i == 1 && st.st_uid != euid)
		err = -EPERM, snprintf(why, wlen, "'%s' is not owned by uid %u", dirs[i], (unsigned int)euid);
	if (err) {
		sys_close(fd);
		return err;
	}
	snprintf(dir, dlen, "%s", dirs[i]);
	return fd;
}
