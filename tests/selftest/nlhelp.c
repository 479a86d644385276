// SPDX-License-Identifier: GPL-2.0
/*
 * Minimal raw generic netlink helpers for the pcipass selftests.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "nlhelp.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

void nlb_init(struct nlb *b, uint16_t type, uint16_t flags, uint8_t cmd,
	      uint8_t version)
{
	struct genlmsghdr *g;

	memset(b, 0, sizeof(*b));
	b->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	b->nlh.nlmsg_type = type;
	b->nlh.nlmsg_flags = flags;
	g = NLMSG_DATA(&b->nlh);
	g->cmd = cmd;
	g->version = version;
}

size_t nlb_put(struct nlb *b, uint16_t type, const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(b->nlh.nlmsg_len);
	struct nlattr *nla;

	if (off + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(b->buf)) {
		b->overflow = true;
		return 0;
	}
	nla = (struct nlattr *)(b->buf + off);
	nla->nla_type = type;
	nla->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy(nla_payload(nla), data, len);
	/* padding is already zero: the buffer was cleared in nlb_init() */
	b->nlh.nlmsg_len = off + NLA_HDRLEN + NLA_ALIGN(len);
	return off;
}

size_t nlb_put_u8(struct nlb *b, uint16_t type, uint8_t v)
{
	return nlb_put(b, type, &v, sizeof(v));
}

size_t nlb_put_u16(struct nlb *b, uint16_t type, uint16_t v)
{
	return nlb_put(b, type, &v, sizeof(v));
}

size_t nlb_put_u32(struct nlb *b, uint16_t type, uint32_t v)
{
	return nlb_put(b, type, &v, sizeof(v));
}

size_t nlb_put_str(struct nlb *b, uint16_t type, const char *s)
{
	return nlb_put(b, type, s, strlen(s) + 1);
}

size_t nlb_nest_start(struct nlb *b, uint16_t type_and_flags)
{
	size_t off = nlb_put(b, type_and_flags, NULL, 0);

	if (b->nest_depth < (int)(sizeof(b->nest_stack) / sizeof(b->nest_stack[0])))
		b->nest_stack[b->nest_depth++] = off;
	else
		b->overflow = true;
	return off;
}

void nlb_nest_end(struct nlb *b)
{
	struct nlattr *nla;
	size_t off;

	if (!b->nest_depth) {
		b->overflow = true;
		return;
	}
	off = b->nest_stack[--b->nest_depth];
	nla = (struct nlattr *)(b->buf + off);
	nla->nla_len = b->nlh.nlmsg_len - off;
}

int nl_open(struct nl_sock *s, size_t rcvbuf_len)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 20 };
	socklen_t salen = sizeof(sa);
	int one = 1;

	memset(s, 0, sizeof(*s));
	s->exact = rcvbuf_len == NL_RCV_EXACT;
	if (s->exact || !rcvbuf_len)
		rcvbuf_len = 32768;
	s->rcvbuf_len = rcvbuf_len;
	s->seq = 1000;
	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (s->fd < 0)
		return -errno;
	if (setsockopt(s->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(s->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) ||
	    setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(s->fd, (struct sockaddr *)&sa, &salen)) {
		int err = -errno;

		close(s->fd);
		s->fd = -1;
		return err;
	}
	s->portid = sa.nl_pid;
	return 0;
}

void nl_close(struct nl_sock *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

void nl_reply_free(struct nl_reply *rep)
{
	int i;

	for (i = 0; i < rep->nmsgs; i++)
		free(rep->msgs[i].nlh);
	free(rep->msgs);
	memset(rep, 0, sizeof(*rep));
}

/* Parse the extended ACK TLVs that follow an ERROR or DONE payload. */
static void parse_ack_tlvs(struct nl_reply *rep, const void *head, int len)
{
	const struct nlattr *nla;
	int rem;

	nla_for_each(nla, head, len, rem) {
		switch (nla_kind(nla)) {
		case NLMSGERR_ATTR_MSG: {
			int n = nla_plen(nla);

			if (n <= 0 || ((char *)nla_payload(nla))[n - 1]) {
				rep->malformed = true;
				break;
			}
			if (n > (int)sizeof(rep->ext_msg))
				n = sizeof(rep->ext_msg);
			memcpy(rep->ext_msg, nla_payload(nla), n);
			rep->ext_msg[sizeof(rep->ext_msg) - 1] = 0;
			rep->has_msg = true;
			break;
		}
		case NLMSGERR_ATTR_OFFS:
			if (nla_plen(nla) != 4) {
				rep->malformed = true;
				break;
			}
			memcpy(&rep->offs, nla_payload(nla), 4);
			rep->has_offs = true;
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			if (nla_plen(nla) != 4) {
				rep->malformed = true;
				break;
			}
			memcpy(&rep->miss_type, nla_payload(nla), 4);
			rep->has_miss_type = true;
			break;
		case NLMSGERR_ATTR_MISS_NEST:
			if (nla_plen(nla) != 4) {
				rep->malformed = true;
				break;
			}
			memcpy(&rep->miss_nest, nla_payload(nla), 4);
			rep->has_miss_nest = true;
			break;
		default:
			break;
		}
	}
	if (rem)
		rep->malformed = true;
}

static int handle_error(struct nl_reply *rep, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	size_t tlv_off;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e))) {
		rep->malformed = true;
		return -EBADMSG;
	}
	rep->got_ack = true;
	rep->error = e->error;
	if (e->error > 0)
		rep->malformed = true;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;
	rep->ack_tlvs = true;
	if (nlh->nlmsg_flags & NLM_F_CAPPED)
		tlv_off = NLMSG_ALIGN(sizeof(*e));
	else
		tlv_off = NLMSG_ALIGN(sizeof(e->error) + e->msg.nlmsg_len);
	if (NLMSG_LENGTH(tlv_off) > nlh->nlmsg_len) {
		rep->malformed = true;
		return -EBADMSG;
	}
	parse_ack_tlvs(rep, (const char *)NLMSG_DATA(nlh) + tlv_off,
		       nlh->nlmsg_len - NLMSG_LENGTH(tlv_off));
	return 0;
}

static int handle_done(struct nl_reply *rep, const struct nlmsghdr *nlh)
{
	int err = 0;

	rep->got_done = true;
	rep->done_multi = !!(nlh->nlmsg_flags & NLM_F_MULTI);
	if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
		memcpy(&err, NLMSG_DATA(nlh), sizeof(int));
	else
		rep->malformed = true;
	rep->error = err;
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    nlh->nlmsg_len > NLMSG_LENGTH(NLMSG_ALIGN(sizeof(int)))) {
		rep->ack_tlvs = true;
		parse_ack_tlvs(rep, (const char *)NLMSG_DATA(nlh) +
			       NLMSG_ALIGN(sizeof(int)),
			       nlh->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof(int))));
	}
	return 0;
}

static int add_msg(struct nl_reply *rep, const struct nlmsghdr *nlh)
{
	struct nl_msg *m;

	m = realloc(rep->msgs, (rep->nmsgs + 1) * sizeof(*m));
	if (!m)
		return -ENOMEM;
	rep->msgs = m;
	m = &rep->msgs[rep->nmsgs];
	m->nlh = malloc(nlh->nlmsg_len);
	if (!m->nlh)
		return -ENOMEM;
	memcpy(m->nlh, nlh, nlh->nlmsg_len);
	m->batch = rep->batches - 1;
	rep->nmsgs++;
	if (!(nlh->nlmsg_flags & NLM_F_MULTI))
		rep->all_multi = false;
	return 0;
}

int nl_transact(struct nl_sock *s, struct nlb *b, struct nl_reply *rep)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	bool dump = (b->nlh.nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	bool want_ack = b->nlh.nlmsg_flags & NLM_F_ACK;
	size_t bufsize = s->rcvbuf_len;
	unsigned char *buf;
	int ret = 0;

	memset(rep, 0, sizeof(*rep));
	rep->all_multi = true;
	if (b->overflow || b->nest_depth)
		return -EOVERFLOW;

	b->nlh.nlmsg_seq = ++s->seq;
	b->nlh.nlmsg_pid = 0;
	if (sendto(s->fd, b->buf, b->nlh.nlmsg_len, 0,
		   (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;

	buf = malloc(bufsize);
	if (!buf)
		return -ENOMEM;

	for (;;) {
		struct iovec iov = { buf, bufsize };
		struct sockaddr_nl from;
		struct msghdr mh = {
			.msg_name = &from, .msg_namelen = sizeof(from),
			.msg_iov = &iov, .msg_iovlen = 1,
		};
		struct nlmsghdr *nlh;
		ssize_t n;
		int left;
		bool finished = false;

		if (s->exact) {
			struct msghdr peek = { 0 };

			n = recvmsg(s->fd, &peek, MSG_PEEK | MSG_TRUNC);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				ret = -errno;
				break;
			}
			if ((size_t)n > bufsize) {
				unsigned char *nb = realloc(buf, n);

				if (!nb) {
					ret = -ENOMEM;
					break;
				}
				buf = nb;
				bufsize = n;
			}
			iov.iov_base = buf;
			iov.iov_len = n;
		}
		n = recvmsg(s->fd, &mh, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		if (mh.msg_flags & MSG_TRUNC)
			rep->truncated = true;
		if (from.nl_pid != 0)	/* not from the kernel */
			continue;
		rep->batches++;
		if ((size_t)n > rep->max_batch)
			rep->max_batch = n;

		left = n;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, left);
		     nlh = NLMSG_NEXT(nlh, left)) {
			if (nlh->nlmsg_seq != b->nlh.nlmsg_seq ||
			    nlh->nlmsg_pid != s->portid) {
				rep->bad_seq = true;
				continue;
			}
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				rep->dump_intr = true;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				handle_error(rep, nlh);
				finished = true;
				break;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				handle_done(rep, nlh);
				finished = true;
				break;
			}
			if (nlh->nlmsg_type == NLMSG_NOOP ||
			    nlh->nlmsg_type == NLMSG_OVERRUN) {
				rep->malformed = true;
				continue;
			}
			ret = add_msg(rep, nlh);
			if (ret)
				goto out;
			if (!dump && !want_ack) {
				finished = true;
				break;
			}
		}
		if (!finished && left > 0)
			rep->malformed = true;
		if (finished)
			break;
	}
out:
	free(buf);
	return ret;
}

int nla_parse_strict(const void *head, int len, const struct nlattr **tb,
		     int maxtype, uint64_t multi_mask)
{
	const struct nlattr *nla;
	int rem;

	memset(tb, 0, sizeof(*tb) * (maxtype + 1));
	nla_for_each(nla, head, len, rem) {
		int t = nla_kind(nla);

		if (t <= 0 || t > maxtype)
			return -EBADMSG;
		if (tb[t]) {
			if (t < 64 && (multi_mask & (1ULL << t)))
				continue;
			return -EBADMSG;
		}
		tb[t] = nla;
	}
	if (rem != 0)
		return -EBADMSG;
	return 0;
}

void *genl_attrs(const struct nlmsghdr *nlh, int *len)
{
	if (nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN)) {
		*len = 0;
		return NULL;
	}
	*len = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	return (char *)NLMSG_DATA(nlh) + GENL_HDRLEN;
}

static int parse_ops(struct genl_family_info *fi, const struct nlattr *ops)
{
	const struct nlattr *op, *a;
	int rem, rem2;

	nla_for_each(op, nla_payload(ops), nla_plen(ops), rem) {
		uint32_t cmd = 0, flags = 0;
		bool have_cmd = false;

		nla_for_each(a, nla_payload(op), nla_plen(op), rem2) {
			if (nla_plen(a) != 4)
				continue;
			if (nla_kind(a) == CTRL_ATTR_OP_ID) {
				memcpy(&cmd, nla_payload(a), 4);
				have_cmd = true;
			} else if (nla_kind(a) == CTRL_ATTR_OP_FLAGS) {
				memcpy(&flags, nla_payload(a), 4);
			}
		}
		if (!have_cmd || fi->nops >= (int)(sizeof(fi->ops) / sizeof(fi->ops[0])))
			return -EBADMSG;
		fi->ops[fi->nops].cmd = cmd;
		fi->ops[fi->nops].flags = flags;
		fi->nops++;
	}
	return 0;
}

int genl_resolve(struct nl_sock *s, const char *name,
		 struct genl_family_info *fi)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct nl_reply rep;
	struct nlb b;
	void *attrs;
	int len, ret;

	memset(fi, 0, sizeof(*fi));
	nlb_init(&b, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK,
		 CTRL_CMD_GETFAMILY, 1);
	nlb_put_str(&b, CTRL_ATTR_FAMILY_NAME, name);
	ret = nl_transact(s, &b, &rep);
	if (ret)
		return ret;
	if (rep.error) {
		ret = rep.error;
		goto out;
	}
	ret = -EBADMSG;
	if (rep.nmsgs != 1)
		goto out;
	attrs = genl_attrs(rep.msgs[0].nlh, &len);
	if (!attrs || nla_parse_strict(attrs, len, tb, CTRL_ATTR_MAX, 0))
		goto out;
	if (!tb[CTRL_ATTR_FAMILY_ID] || nla_plen(tb[CTRL_ATTR_FAMILY_ID]) != 2)
		goto out;
	memcpy(&fi->id, nla_payload(tb[CTRL_ATTR_FAMILY_ID]), 2);
	if (tb[CTRL_ATTR_VERSION] && nla_plen(tb[CTRL_ATTR_VERSION]) == 4)
		memcpy(&fi->version, nla_payload(tb[CTRL_ATTR_VERSION]), 4);
	if (tb[CTRL_ATTR_HDRSIZE] && nla_plen(tb[CTRL_ATTR_HDRSIZE]) == 4)
		memcpy(&fi->hdrsize, nla_payload(tb[CTRL_ATTR_HDRSIZE]), 4);
	if (tb[CTRL_ATTR_MAXATTR] && nla_plen(tb[CTRL_ATTR_MAXATTR]) == 4)
		memcpy(&fi->maxattr, nla_payload(tb[CTRL_ATTR_MAXATTR]), 4);
	if (tb[CTRL_ATTR_OPS] && parse_ops(fi, tb[CTRL_ATTR_OPS]))
		goto out;
	ret = 0;
out:
	nl_reply_free(&rep);
	return ret;
}
