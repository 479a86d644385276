// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/pcipass.h>

#include "lib/util.h"
#include "nl/nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Receive buffer asked of the kernel (see open_socket()). */
#define PNL_RCVBUF (1024 * 1024)

struct pnl_req {
	struct pnl *nl;
	pnl_parse_fn parse;
	void *arg;
	unsigned int replies;
	bool done;
	bool interrupted;
	int err;		/* negative errno; the first one wins */
};

static void set_error(struct pnl *nl, int errnum, bool from_kernel,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void set_error(struct pnl *nl, int errnum, bool from_kernel,
		      const char *fmt, ...)
{
	va_list ap;

	nl->err.errnum = errnum;
	nl->err.from_kernel = from_kernel;
	if (!fmt)
		return;
	va_start(ap, fmt);
	vsnprintf(nl->err.msg, sizeof(nl->err.msg), fmt, ap);
	va_end(ap);
}

static void clear_error(struct pnl *nl)
{
	memset(&nl->err, 0, sizeof(nl->err));
}

static void set_sockopt_flag(struct nl_sock *sk, int opt)
{
	int one = 1;

	/* Kernels before 4.12 lack extended ACKs; errors then come without
	 * a message, which is worse but not fatal.
	 */
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, opt, &one, sizeof(one));
}

static int open_socket(struct pnl *nl)
{
	int rc;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		set_error(nl, ENOMEM, false, "cannot allocate netlink socket");
		return -ENOMEM;
	}
	rc = genl_connect(nl->sk);
	if (rc < 0) {
		set_error(nl, EIO, false, "cannot open generic netlink socket: %s",
			  nl_geterror(rc));
		return -EIO;
	}
	set_sockopt_flag(nl->sk, NETLINK_EXT_ACK);
	/* The echoed request in error messages is of no use to us. */
	set_sockopt_flag(nl->sk, NETLINK_CAP_ACK);
	/* Size each receive buffer to the datagram: dump messages from a
	 * large machine can exceed libnl's default page-sized buffer.
	 */
	nl_socket_enable_msg_peek(nl->sk);
	/* libnl's connect sets a 32 KiB receive buffer (64 KiB in the
	 * kernel's accounting).  An isolation-get reply for a function in a
	 * group of a few hundred (248 functions behind one PCIe-to-PCI
	 * bridge, tests/e2e/scale_test.py) filled it by itself: the kernel
	 * dropped the ACK that follows and the next receive failed with
	 * ENOBUFS ("pcipass check" exited 1).  Ask for more; the kernel
	 * caps it at net.core.rmem_max (208 KiB by default).
	 */
	rc = nl_socket_set_buffer_size(nl->sk, PNL_RCVBUF, 0);
	if (rc < 0) {
		set_error(nl, EIO, false,
			  "cannot size the netlink receive buffer: %s",
			  nl_geterror(rc));
		return -EIO;
	}

	/* This CTRL_CMD_GETFAMILY request is also what makes the kernel
	 * autoload an installed module via its genl family alias.
	 */
	rc = genl_ctrl_resolve(nl->sk, PCIPASS_FAMILY_NAME);
	if (rc == -NLE_OBJ_NOTFOUND) {
		set_error(nl, ENOENT, false, PNL_NOT_LOADED_MSG);
		return -ENOENT;
	}
	if (rc < 0) {
		set_error(nl, EIO, false,
			  "cannot resolve generic netlink family '%s': %s",
			  PCIPASS_FAMILY_NAME, nl_geterror(rc));
		return -EIO;
	}
	nl->family = rc;
	return 0;
}

int pnl_open(struct pnl *nl)
{
	int rc = open_socket(nl);

	if (rc)
		pnl_close(nl);
	return rc;
}

int pnl_open_or_report(struct pnl *nl)
{
	int rc = pnl_open(nl);

	if (rc)
		pnl_perror(nl);
	return rc;
}

void pnl_close(struct pnl *nl)
{
	nl_socket_free(nl->sk);
	nl->sk = NULL;
}

int pnl_family_version(struct pnl *nl, unsigned int *version)
{
	struct nl_cache *cache;
	struct genl_family *fam;
	int rc;

	rc = genl_ctrl_alloc_cache(nl->sk, &cache);
	if (rc < 0) {
		set_error(nl, EIO, false,
			  "cannot list generic netlink families: %s",
			  nl_geterror(rc));
		return -EIO;
	}
	fam = genl_ctrl_search_by_name(cache, PCIPASS_FAMILY_NAME);
	if (!fam) {
		/* Unloaded between resolve and now. */
		nl_cache_free(cache);
		set_error(nl, ENOENT, false, PNL_NOT_LOADED_MSG);
		return -ENOENT;
	}
	*version = genl_family_get_version(fam);
	genl_family_put(fam);
	nl_cache_free(cache);
	return 0;
}

/* libnl hands error callbacks only the struct nlmsgerr and ignores the
 * extended ACK TLVs behind it, so they are picked out of every ERROR and
 * DONE message here, before libnl dispatches it.
 */
static void parse_extack(struct pnl *nl, const struct nlmsghdr *nlh)
{
	static const struct nla_policy policy[NLMSGERR_ATTR_MAX + 1] = {
		[NLMSGERR_ATTR_MSG] = { .type = NLA_STRING },
		[NLMSGERR_ATTR_OFFS] = { .type = NLA_U32 },
		[NLMSGERR_ATTR_MISS_TYPE] = { .type = NLA_U32 },
	};
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	char *payload = nlmsg_data(nlh);
	int len = nlmsg_datalen(nlh);
	int off;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (nlh->nlmsg_type == NLMSG_DONE) {
		off = sizeof(int);
	} else {
		const struct nlmsgerr *e = (const struct nlmsgerr *)payload;

		if (len < (int)sizeof(*e))
			return;
		off = sizeof(*e);
		/* Without NETLINK_CAP_ACK (refused by old kernels) the
		 * request's payload is echoed before the TLVs.
		 */
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
		    e->msg.nlmsg_len >= NLMSG_HDRLEN)
			off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	}
	if (off >= len)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)(payload + off),
		      len - off, policy) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(nl->err.msg, sizeof(nl->err.msg), "%s",
			 nla_get_string(tb[NLMSGERR_ATTR_MSG]));
	if (tb[NLMSGERR_ATTR_MISS_TYPE]) {
		nl->err.has_miss_type = true;
		nl->err.miss_type = nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
	}
}

static int on_msg_in(struct nl_msg *msg, void *arg)
{
	struct pnl_req *r = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE)
		parse_extack(r->nl, nlh);
	return NL_OK;
}

static void req_fail(struct pnl_req *r, int err, bool from_kernel)
{
	if (r->err)
		return;
	r->err = err;
	set_error(r->nl, -err, from_kernel, NULL);
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct pnl_req *r = arg;
	int err;

	/* Keep reading after a bad message so the socket is drained up to
	 * DONE and stays usable for the next request.
	 */
	if (r->err || !r->parse)
		return NL_OK;
	err = r->parse(msg, r->arg);
	if (err) {
		req_fail(r, err, false);
		snprintf(r->nl->err.msg, sizeof(r->nl->err.msg),
			 "malformed reply from the kernel module");
		return NL_OK;
	}
	r->replies++;
	return NL_OK;
}

static int on_finish(struct nl_msg *msg, void *arg)
{
	struct pnl_req *r = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int status = 0;

	/* A dump that fails part way reports its errno in the DONE payload;
	 * libnl does not look at it.
	 */
	if (nlmsg_datalen(nlh) >= (int)sizeof(int))
		memcpy(&status, nlmsg_data(nlh), sizeof(int));
	if (status < 0)
		req_fail(r, status, true);
	r->done = true;
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct pnl_req *r = arg;

	(void)msg;
	r->done = true;
	return NL_STOP;
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct pnl_req *r = arg;

	(void)who;
	req_fail(r, e->error < 0 ? e->error : -e->error, true);
	r->done = true;
	return NL_STOP;
}

static int on_dump_intr(struct nl_msg *msg, void *arg)
{
	struct pnl_req *r = arg;

	(void)msg;
	r->interrupted = true;
	return NL_OK;
}

static struct nl_cb *req_callbacks(struct pnl_req *r)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	if (!cb)
		return NULL;
	nl_cb_set(cb, NL_CB_MSG_IN, NL_CB_CUSTOM, on_msg_in, r);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, r);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_dump_intr, r);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, r);
	return cb;
}

static int build_request(struct pnl *nl, uint8_t cmd, int flags,
			 pnl_fill_fn fill, const void *fill_arg,
			 struct nl_msg **out)
{
	struct nl_msg *msg = nlmsg_alloc();
	int err;

	if (!msg)
		return -ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags,
			 cmd, PCIPASS_FAMILY_VERSION)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	if (fill) {
		err = fill(msg, fill_arg);
		if (err) {
			nlmsg_free(msg);
			return err;
		}
	}
	*out = msg;
	return 0;
}

/* Sends one request and reads until the kernel closes it: ACK or error for
 * a do, DONE (possibly after many NLM_F_MULTI messages) for a dump.
 */
static int transact(struct pnl *nl, uint8_t cmd, int flags, pnl_fill_fn fill,
		    const void *fill_arg, struct pnl_req *r)
{
	struct nl_msg *msg;
	struct nl_cb *cb;
	int rc;

	clear_error(nl);
	rc = build_request(nl, cmd, flags, fill, fill_arg, &msg);
	if (rc) {
		set_error(nl, -rc, false, "cannot build netlink request");
		return rc;
	}
	cb = req_callbacks(r);
	if (!cb) {
		nlmsg_free(msg);
		set_error(nl, ENOMEM, false, "cannot allocate netlink callbacks");
		return -ENOMEM;
	}
	rc = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (rc < 0) {
		nl_cb_put(cb);
		set_error(nl, EIO, false, "cannot send netlink request: %s",
			  nl_geterror(rc));
		return -EIO;
	}
	while (!r->done) {
		rc = nl_recvmsgs(nl->sk, cb);
		if (rc < 0 && !r->done) {
			set_error(nl, EIO, false, "netlink receive failed: %s",
				  nl_geterror(rc));
			r->err = -EIO;
			break;
		}
	}
	nl_cb_put(cb);
	return r->err;
}

int pnl_do(struct pnl *nl, uint8_t cmd, pnl_fill_fn fill, const void *fill_arg,
	   pnl_parse_fn parse, void *arg)
{
	struct pnl_req r = { .nl = nl, .parse = parse, .arg = arg };
	int rc = transact(nl, cmd, 0, fill, fill_arg, &r);

	if (!rc && parse && !r.replies) {
		set_error(nl, EBADMSG, false,
			  "the kernel module acknowledged without a reply");
		return -EBADMSG;
	}
	return rc;
}

/* The parse callback accumulates; on a retry the caller's reset undoes
 * that, which is why an interrupted dump is reported as -EAGAIN rather than
 * retried here.
 */
int pnl_dump(struct pnl *nl, uint8_t cmd, pnl_parse_fn parse, void *arg)
{
	struct pnl_req r = { .nl = nl, .parse = parse, .arg = arg };
	int rc = transact(nl, cmd, NLM_F_DUMP, NULL, NULL, &r);

	if (!rc && r.interrupted) {
		set_error(nl, EAGAIN, false,
			  "PCI devices changed during the dump, try again");
		return -EAGAIN;
	}
	return rc;
}

/* The module's NL_SET_ERR_MSG_MOD() messages start with its name, which
 * would read "pcipass: kernel error: pcipass: ..." after our own prefix.
 */
static const char *strip_module_prefix(const char *msg)
{
	static const char prefix[] = PCIPASS_FAMILY_NAME ": ";

	return strncmp(msg, prefix, sizeof(prefix) - 1) ? msg
						       : msg + sizeof(prefix) - 1;
}

const char *pnl_kernel_msg(const struct pnl *nl)
{
	const struct pnl_error *e = &nl->err;

	return e->from_kernel && e->msg[0] ? strip_module_prefix(e->msg) : NULL;
}

void pnl_perror(const struct pnl *nl)
{
	const struct pnl_error *e = &nl->err;

	if (!e->from_kernel) {
		pp_err("%s", e->msg[0] ? e->msg : strerror(e->errnum));
		return;
	}
	if (e->msg[0])
		pp_err("kernel error: %s (%s)", strip_module_prefix(e->msg),
		       strerror(e->errnum));
	else if (e->has_miss_type)
		pp_err("kernel error: missing attribute %u (%s)", e->miss_type,
		       strerror(e->errnum));
	else
		pp_err("kernel error: %s", strerror(e->errnum));
}
