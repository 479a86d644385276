// SPDX-License-Identifier: GPL-2.0
/*
 * PCIPASS_IOC_CLAIM / PCIPASS_IOC_RELEASE: the claim transaction (claim.c)
 * in the fixed-size layout of struct pcipass_ioc_claim.
 */

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <uapi/linux/pcipass.h>
#include <uapi/linux/pcipass_ioctl.h>

#include "chardev.h"
#include "claim.h"

#define PCIPASS_IOC_CLAIM_FLAGS \
	(PCIPASS_IOC_CLAIM_F_DRY_RUN | PCIPASS_IOC_CLAIM_F_FORCE | \
	 PCIPASS_IOC_CLAIM_F_GROUP)

static_assert(PCIPASS_IOC_CLAIM_F_DRY_RUN == PCIPASS_CLAIM_F_DRY_RUN);
static_assert(PCIPASS_IOC_CLAIM_F_FORCE == PCIPASS_CLAIM_F_FORCE);

static void pcipass_ioc_str_out(const char *s, char *field, size_t size,
				__u32 *present)
{
	if (strscpy(field, s, size) < 0)
		*present |= PCIPASS_CLAIM_P_TRUNCATED;
}

static void pcipass_ioc_member_out(const struct pcipass_claim_member *m,
				   struct pcipass_ioc_claim_member *out,
				   __u32 *present)
{
	pcipass_ioc_addr_out(&m->addr, &out->addr);
	out->state = m->state;
	out->step = m->error ? m->step : 0;
	out->error = m->error;
	pcipass_ioc_str_out(m->from_driver, out->from_driver,
			    sizeof(out->from_driver), present);
	pcipass_ioc_str_out(m->from_override, out->from_override,
			    sizeof(out->from_override), present);
	pcipass_ioc_str_out(m->to_driver, out->to_driver,
			    sizeof(out->to_driver), present);
}

static void pcipass_ioc_report_out(const struct pcipass_claim_report *rep,
				   struct pcipass_ioc_claim *out)
{
	unsigned int i, n;

	if (rep->has_group) {
		out->present |= PCIPASS_CLAIM_P_GROUP;
		out->group = rep->group;
		out->outcome = rep->outcome;
	}
	pcipass_ioc_str_out(rep->driver, out->driver, sizeof(out->driver),
			    &out->present);
	if (rep->msg)
		strscpy(out->message, rep->msg, sizeof(out->message));
	out->nr_members = rep->nr_members;
	n = min_t(unsigned int, rep->nr_members, ARRAY_SIZE(out->members));
	for (i = 0; i < n; i++)
		pcipass_ioc_member_out(&rep->members[i], &out->members[i],
				       &out->present);
	out->nr_blockers = rep->nr_blockers;
	n = min_t(unsigned int, rep->nr_blockers, ARRAY_SIZE(out->blockers));
	for (i = 0; i < n; i++) {
		pcipass_ioc_addr_out(&rep->blockers[i].addr,
				     &out->blockers[i].addr);
		out->blockers[i].reason = rep->blockers[i].reason;
		out->blockers[i].forced = rep->blockers[i].forced;
		pcipass_ioc_str_out(rep->blockers[i].detail,
				    out->blockers[i].detail,
				    sizeof(out->blockers[i].detail),
				    &out->present);
	}
	if (rep->nr_members > ARRAY_SIZE(out->members) ||
	    rep->nr_blockers > ARRAY_SIZE(out->blockers))
		out->present |= PCIPASS_CLAIM_P_TRUNCATED;
}

/* Output fields must come in zeroed: nothing is half-read from them. */
static int pcipass_ioc_claim_req(const struct pcipass_ioc_claim *in, bool claim,
				 struct pcipass_claim_req *req)
{
	if (in->present || in->outcome || in->nr_members || in->nr_blockers ||
	    in->txid || in->message[0] || in->members[0].state ||
	    (!claim && in->driver[0]))
		return -EINVAL;
	if (!memchr(in->driver, '\0', sizeof(in->driver)))
		return -EINVAL;
	req->flags = in->flags & (PCIPASS_IOC_CLAIM_F_DRY_RUN |
				  PCIPASS_IOC_CLAIM_F_FORCE);
	req->by_group = in->flags & PCIPASS_IOC_CLAIM_F_GROUP;
	if (req->by_group) {
		if (in->addr.domain || in->addr.bus || in->addr.devfn ||
		    in->addr.reserved)
			return -EINVAL;
		req->group = in->group;
	} else {
		if (in->group)
			return -EINVAL;
		if (pcipass_ioc_addr_in(&in->addr, &req->addr))
			return -EINVAL;
	}
	if (strscpy(req->driver, in->driver, sizeof(req->driver)) < 0)
		return -EINVAL;
	return 0;
}

static unsigned int claim_wait_s = 60;
module_param(claim_wait_s, uint, 0644);
MODULE_PARM_DESC(claim_wait_s,
		 "s the claim and release ioctls wait for their transaction");

/*
 * Wait for @job, bounded and interruptibly; the job goes on when the wait
 * ends first, and @c says which it is and where it waits.
 */
static int pcipass_ioc_wait(struct pcipass_job *job, struct pcipass_ioc_claim *c)
{
	unsigned int wait_s = min(READ_ONCE(claim_wait_s), 86400U);
	unsigned long bound = msecs_to_jiffies(wait_s * 1000);
	struct pcipass_job_where w;
	struct pcipass_job *again;
	long left;

	left = wait_for_completion_interruptible_timeout(&job->done, bound);
	again = pcipass_job_find(job->id, &w);
	if (again)
		pcipass_job_put(again);	/* @job holds it: only @w was wanted */
	/* also a job that ended just as the wait did, or since */
	if (left > 0 || completion_done(&job->done)) {
		pcipass_ioc_report_out(job->rep, c);
		/* read also when copy_to_user() then fails: EFAULT, no retry */
		pcipass_job_read(job);
		return job->err;
	}
	c->txid = job->id;
	c->present |= PCIPASS_CLAIM_P_RUNNING;
	if (w.step) {
		int n = scnprintf(c->message, sizeof(c->message),
				  "still running: ");

		pcipass_job_where_text(&w, c->message + n,
				       sizeof(c->message) - n);
	} else {
		snprintf(c->message, sizeof(c->message),
			 "transaction %u is still %s", job->id,
			 pcipass_job_state(job) == PCIPASS_TX_QUEUED ?
			 "queued" : "running");
	}
	/* never -ERESTARTSYS: a restarted ioctl would queue a second job */
	return left ? -EINTR : -ETIMEDOUT;
}

/**
 * pcipass_ioc_claim() - PCIPASS_IOC_CLAIM and PCIPASS_IOC_RELEASE
 * @file: the open /dev/pcipass
 * @uarg: struct pcipass_ioc_claim
 * @usize: its size from the ioctl number
 * @claim: claim (true) or release
 *
 * Both the opener and the caller need CAP_SYS_ADMIN: a descriptor handed
 * to an unprivileged process must not let it move drivers.  The
 * transaction runs as a job (claim_job.c); the ioctl holds no lock while
 * it waits.
 *
 * Return: 0 or a negative errno as for pcipass_claim()/pcipass_release();
 * -ETIMEDOUT or -EINTR when the wait ended first (the job goes on);
 * -EBUSY when another transaction is stuck.  The struct is copied back
 * whenever a group was found or a message says why not.
 */
long pcipass_ioc_claim(struct file *file, void __user *uarg, size_t usize,
		       bool claim)
{
	u8 cmd = claim ? PCIPASS_CMD_CLAIM : PCIPASS_CMD_RELEASE;
	struct pcipass_claim_report *rep;
	struct pcipass_claim_req req = {};
	struct pcipass_ioc_claim *c;
	struct pcipass_job_where w;
	struct pcipass_job *job;
	int err, cerr;

	BUILD_BUG_ON(sizeof(*c) != PCIPASS_IOC_CLAIM_SIZE_VER0);
	if (!file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN) ||
	    !capable(CAP_SYS_ADMIN))
		return -EPERM;
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	rep = kvzalloc(sizeof(*rep), GFP_KERNEL);
	err = c && rep ? 0 : -ENOMEM;
	if (!err)
		err = pcipass_ioc_copy_in_flags(c, sizeof(*c),
						PCIPASS_IOC_CLAIM_SIZE_VER0,
						uarg, usize,
						PCIPASS_IOC_CLAIM_FLAGS);
	if (!err)
		err = pcipass_ioc_claim_req(c, claim, &req);
	if (err)
		goto out;
	req.may_load = capable(CAP_SYS_MODULE);
	err = pcipass_claim_precheck(&req, claim, rep);
	if (err) {
		pcipass_ioc_report_out(rep, c);
		goto copy_out;
	}
	job = pcipass_job_submit(cmd, &req, rep, &w);
	if (IS_ERR(job)) {
		err = PTR_ERR(job);
		pcipass_ioc_report_out(rep, c);
		goto copy_out;
	}
	err = pcipass_ioc_wait(job, c);
	pcipass_job_put(job);
copy_out:
	if (c->present || c->message[0]) {
		cerr = pcipass_ioc_copy_out(uarg, usize, c, sizeof(*c));
		err = err ?: cerr;
	}
out:
	pcipass_report_free(rep);
	kfree(c);
	return err;
}
