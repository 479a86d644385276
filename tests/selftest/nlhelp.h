/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal raw generic netlink helpers for the pcipass selftests.
 *
 * Deliberately low level: the tests must be able to send requests no
 * netlink library would build (wrong lengths, missing NLA_F_NESTED,
 * unknown attribute types), and to see every detail of the kernel's
 * answer (each message, each recv() batch, the extended ACK TLVs).
 */
#ifndef PCIPASS_SELFTEST_NLHELP_H
#define PCIPASS_SELFTEST_NLHELP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>
#include <linux/genetlink.h>

#define NLB_SIZE	8192

/* A request being built: one netlink message, genl header included. */
struct nlb {
	union {
		struct nlmsghdr nlh;
		unsigned char buf[NLB_SIZE];
	};
	size_t nest_stack[8];
	int nest_depth;
	bool overflow;
};

void nlb_init(struct nlb *b, uint16_t type, uint16_t flags, uint8_t cmd,
	      uint8_t version);
/* Append an attribute; returns its offset from the start of the message. */
size_t nlb_put(struct nlb *b, uint16_t type, const void *data, size_t len);
size_t nlb_put_u8(struct nlb *b, uint16_t type, uint8_t v);
size_t nlb_put_u16(struct nlb *b, uint16_t type, uint16_t v);
size_t nlb_put_u32(struct nlb *b, uint16_t type, uint32_t v);
size_t nlb_put_str(struct nlb *b, uint16_t type, const char *s);
/* Open a nest; flags are or'ed into nla_type (pass NLA_F_NESTED normally). */
size_t nlb_nest_start(struct nlb *b, uint16_t type_and_flags);
void nlb_nest_end(struct nlb *b);

/* One message of the kernel's answer, copied out of the receive buffer. */
struct nl_msg {
	struct nlmsghdr *nlh;	/* malloc()ed copy */
	int batch;		/* index of the recv() that delivered it */
};

/* Everything the kernel answered to one request. */
struct nl_reply {
	int error;		/* 0, or negative errno from ERROR/DONE */
	bool got_ack;		/* an NLMSG_ERROR (ack or error) arrived */
	bool got_done;		/* an NLMSG_DONE arrived */
	bool all_multi;		/* every data message had NLM_F_MULTI */
	bool done_multi;	/* the DONE message had NLM_F_MULTI */
	bool dump_intr;		/* some message had NLM_F_DUMP_INTR */
	bool bad_seq;		/* some message had a foreign seq / portid */
	bool truncated;		/* a recv() came back with MSG_TRUNC */
	bool malformed;		/* a message did not parse */

	bool ack_tlvs;		/* the error/done message had NLM_F_ACK_TLVS */
	bool has_msg;
	char ext_msg[512];	/* NLMSGERR_ATTR_MSG */
	bool has_offs;
	uint32_t offs;		/* NLMSGERR_ATTR_OFFS */
	bool has_miss_type;
	uint32_t miss_type;	/* NLMSGERR_ATTR_MISS_TYPE */
	bool has_miss_nest;
	uint32_t miss_nest;	/* NLMSGERR_ATTR_MISS_NEST */

	int nmsgs;		/* data messages (not ERROR/DONE) */
	struct nl_msg *msgs;
	int batches;		/* number of recv() calls with data */
	size_t max_batch;	/* largest recv() in bytes */
};

struct nl_sock {
	int fd;
	uint32_t portid;
	uint32_t seq;
	size_t rcvbuf_len;	/* user buffer handed to recvmsg() */
	bool exact;		/* peek at each datagram's size first */
};

/*
 * rcvbuf_len: the buffer each recvmsg() gets (0: 32 KiB), or NL_RCV_EXACT:
 * peek at every datagram's size (MSG_PEEK | MSG_TRUNC with an empty buffer)
 * and read it into a buffer of exactly that size.  The kernel sizes dump
 * skbs by the largest buffer a socket has offered, so NL_RCV_EXACT keeps
 * every dump batch at the kernel's minimum (about one page) and makes a
 * dump resume as often as it can.
 */
#define NL_RCV_EXACT	((size_t)-1)

int nl_open(struct nl_sock *s, size_t rcvbuf_len);
void nl_close(struct nl_sock *s);

/*
 * Send @b (seq and pid are filled in) and collect the answer.  For a dump
 * (NLM_F_DUMP in the request) reads until DONE or ERROR; otherwise until
 * the ERROR/ACK message (callers set NLM_F_ACK on do requests) or, without
 * NLM_F_ACK, until the first data message or error.
 * Returns 0 when the exchange completed (look at rep->error for the
 * kernel's verdict), or -errno on a local failure (socket error, timeout).
 */
int nl_transact(struct nl_sock *s, struct nlb *b, struct nl_reply *rep);
void nl_reply_free(struct nl_reply *rep);

/* Family lookup through nlctrl. */
struct genl_family_info {
	uint16_t id;
	uint32_t version;
	uint32_t hdrsize;
	uint32_t maxattr;
	int nops;
	struct {
		uint32_t cmd;
		uint32_t flags;
	} ops[32];
};

int genl_resolve(struct nl_sock *s, const char *name,
		 struct genl_family_info *fi);

/* Attribute access.  All return -EBADMSG on malformed input. */
#define NLA_OK_LEN(nla, rem) \
	((rem) >= (int)sizeof(struct nlattr) && \
	 (nla)->nla_len >= sizeof(struct nlattr) && (nla)->nla_len <= (rem))
#define NLA_NEXT_ATTR(nla, rem) \
	((rem) -= NLA_ALIGN((nla)->nla_len), \
	 (struct nlattr *)((char *)(nla) + NLA_ALIGN((nla)->nla_len)))
#define nla_for_each(pos, head, len, rem) \
	for (pos = (struct nlattr *)(head), rem = (int)(len); \
	     NLA_OK_LEN(pos, rem); pos = NLA_NEXT_ATTR(pos, rem))

static inline void *nla_payload(const struct nlattr *nla)
{
	return (char *)nla + NLA_HDRLEN;
}

static inline int nla_plen(const struct nlattr *nla)
{
	return nla->nla_len - NLA_HDRLEN;
}

static inline int nla_kind(const struct nlattr *nla)
{
	return nla->nla_type & NLA_TYPE_MASK;
}

/*
 * Fill tb[1..maxtype] with the attributes in the stream.  Rejects (returns
 * -EBADMSG) trailing garbage, types above maxtype or 0, and duplicates
 * unless the type's bit is set in @multi_mask (then tb[] holds the first).
 */
int nla_parse_strict(const void *head, int len, const struct nlattr **tb,
		     int maxtype, uint64_t multi_mask);

/* Payload of a genl message (after the genl header) and its length. */
void *genl_attrs(const struct nlmsghdr *nlh, int *len);

#endif
