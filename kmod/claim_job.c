// SPDX-License-Identifier: GPL-2.0
/*
 * Claim and release transactions run here, in the module's own ordered
 * workqueue, never in the context of the request that asked for them.
 *
 * A netlink request runs under genetlink's cb_lock, which every generic
 * netlink request on the host and every module that registers a family
 * needs; a driver's remove can wait without bound (vfio-pci waits for the
 * VM).  So a request only checks what it can without waiting, queues a
 * job and answers with its id; the job's outcome is kept for claim-get
 * and, when it changed something, announced by the claim-finished or
 * release-finished event.  The ioctl waits for its job,
 * bounded and interruptibly, holding no lock.
 *
 * Before each step that can wait for a driver or a module, the worker
 * says so (pcipass_job_step()).  An override write (6.1 takes device_lock
 * for it), unbind or bind that has lasted more than stuck_ms makes new
 * jobs fail at once with EBUSY naming it: queueing
 * behind a remove that waits for a VM would only hide the cause.  A module
 * load is bounded (10 s): new jobs queue behind it.
 *
 * A finished job is kept until its outcome has been read (claim-get, or
 * the ioctl that waited for it), then among the last few read ones for
 * a second look.  Counting all finished jobs together lost outcomes: a
 * client polling with backoff found its job gone after a few fast jobs
 * of other clients.  Unread outcomes are bounded too (a caller that gave
 * up never reads), oldest first.  Txids start at a random number at
 * each load, so a client that outlived a reload gets ESRCH, not the
 * outcome of another transaction that reused its txid.
 *
 * Lock ordering: under pcipass_job_lock nothing is taken but the
 * workqueue's own pool lock (queue_work()).  A job holds a
 * module reference from submit until its work function returns, so
 * rmmod fails ("in use") rather than waiting for a stuck driver, and no
 * job is open when the module exits (destroy_workqueue() waits for the
 * work function's return after its module_put()); a module that is going
 * accepts no job.
 */

#include <linux/jiffies.h>
#include <linux/kref.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "claim_int.h"
#include "persist.h"

#define PCIPASS_JOB_KEEP_READ	16	/* read outcomes kept for another look */
#define PCIPASS_JOB_KEEP_UNREAD	64	/* unread outcomes kept for claim-get */
#define PCIPASS_JOB_QUEUE_MAX	64

static unsigned int stuck_ms = 5000;
module_param(stuck_ms, uint, 0644);
MODULE_PARM_DESC(stuck_ms,
		 "ms a claim or release may wait in one step before new ones are refused (EBUSY)");

static struct workqueue_struct *pcipass_job_wq;
static DEFINE_SPINLOCK(pcipass_job_lock);
static LIST_HEAD(pcipass_jobs);		/* submitted or read last at the tail */
static unsigned int pcipass_jobs_open;	/* queued or running */
static unsigned int pcipass_jobs_read;	/* done and read */
static unsigned int pcipass_jobs_unread;	/* done, not read yet */
static u32 pcipass_job_next;	/* random at init, never 0 */
static bool pcipass_jobs_ready;	/* module init has finished */
static struct pcipass_job *pcipass_job_running;
static struct pcipass_job_where pcipass_job_where;

static void pcipass_job_free(struct kref *ref)
{
	struct pcipass_job *job = container_of(ref, struct pcipass_job, ref);

	pcipass_report_free(job->rep);
	kfree(job);
}

void pcipass_job_put(struct pcipass_job *job)
{
	kref_put(&job->ref, pcipass_job_free);
}

/* Under pcipass_job_lock: where the running job waits, and since when. */
static void pcipass_job_where_locked(struct pcipass_job_where *w)
{
	*w = pcipass_job_where;
	w->ms = w->step ? jiffies_to_msecs(jiffies - w->since) : 0;
}

/**
 * pcipass_job_step() - say which blocking step the running job enters
 * @step: enum pcipass_step; 0 when the step is over
 * @pdev: the function waited for, or NULL
 * @driver: the driver (or module) waited for, the override being
 *	written, or NULL
 *
 * Called by the claim engine.  Only the running job's own worker reports
 * (the bus notifier's work items call the same helpers: they must not
 * overwrite, nor clear, what a stuck job waits for).
 */
void pcipass_job_step(u8 step, struct pci_dev *pdev, const char *driver)
{
	struct pcipass_job_where w = { .step = step, .since = jiffies };

	if (pdev)
		pcipass_addr_of(pdev, &w.addr);
	w.has_addr = pdev;
	strscpy(w.driver, driver ?: "", sizeof(w.driver));
	spin_lock(&pcipass_job_lock);
	if (pcipass_job_running &&
	    current_work() == &pcipass_job_running->work)
		pcipass_job_where = w;
	spin_unlock(&pcipass_job_lock);
}

/*
 * Under pcipass_job_lock: when more than @keep finished jobs are read
 * (@read) or unread, unlink the oldest of them; the caller puts it once
 * the lock is dropped (the report may be vmalloc()ed).
 */
static struct pcipass_job *pcipass_job_trim_locked(bool read,
						   unsigned int *count,
						   unsigned int keep)
{
	struct pcipass_job *old;

	if (*count <= keep)
		return NULL;
	/* open jobs are never unlinked here */
	list_for_each_entry(old, &pcipass_jobs, node) {
		if (old->state == PCIPASS_TX_DONE && old->read == read) {
			list_del_init(&old->node);
			(*count)--;
			return old;
		}
	}
	return NULL;
}

static void pcipass_job_work(struct work_struct *work)
{
	struct pcipass_job *job = container_of(work, struct pcipass_job, work);
	struct pcipass_job *old = NULL;

	spin_lock(&pcipass_job_lock);
	WRITE_ONCE(job->state, PCIPASS_TX_RUNNING);
	pcipass_job_running = job;
	memset(&pcipass_job_where, 0, sizeof(pcipass_job_where));
	spin_unlock(&pcipass_job_lock);

	if (job->req.persisted)
		job->err = pcipass_persist_run(job->rep, job->id);
	else if (job->cmd == PCIPASS_CMD_CLAIM)
		job->err = pcipass_claim(&job->req, job->rep);
	else
		job->err = pcipass_release(&job->req, job->rep);

	spin_lock(&pcipass_job_lock);
	/* claim-get reads err and rep once it sees DONE, without the lock */
	smp_store_release(&job->state, PCIPASS_TX_DONE);
	pcipass_job_running = NULL;
	pcipass_jobs_open--;
	pcipass_jobs_unread++;
	old = pcipass_job_trim_locked(false, &pcipass_jobs_unread,
				      PCIPASS_JOB_KEEP_UNREAD);
	spin_unlock(&pcipass_job_lock);
	complete_all(&job->done);
	/* after complete_all(): read and trimmed meanwhile, it is ours alone */
	pcipass_job_put(job);
	if (old)
		pcipass_job_put(old);
	module_put(THIS_MODULE);	/* see the top of this file */
}

/*
 * Under pcipass_job_lock: no job may be queued now (@busy, @w say why;
 * @w is left zeroed when the job may be queued).  A stuck job is named
 * first: it is why the queue fills up.
 */
static bool pcipass_job_refuse_locked(struct pcipass_claim_report *busy,
				      struct pcipass_job_where *w)
{
	struct pcipass_job *cur = pcipass_job_running;
	struct pcipass_job_where now;

	if (cur) {
		pcipass_job_where_locked(&now);
		/* a module load is bounded (PCIPASS_MODULE_WAIT_MS) */
		if (now.step && now.step != PCIPASS_STEP_LOAD_MODULE &&
		    now.ms > READ_ONCE(stuck_ms)) {
			now.txid = cur->id;
			now.cmd = cur->cmd;
			*w = now;
			return true;
		}
	}
	if (pcipass_jobs_open >= PCIPASS_JOB_QUEUE_MAX) {
		busy->msg = "busy: too many claims and releases queued";
		return true;
	}
	return false;
}

static const char *pcipass_step_words(u8 step)
{
	switch (step) {
	case PCIPASS_STEP_OVERRIDE:
		return "to override";
	case PCIPASS_STEP_UNBIND:
		return "to unbind";
	case PCIPASS_STEP_BIND:
		return "to bind";
	case PCIPASS_STEP_LOAD_MODULE:
		return "for module";
	}
	return "in";
}

/**
 * pcipass_job_where_text() - say where a job waits
 * @w: where (pcipass_job_submit() or pcipass_job_find() filled it)
 * @buf: "a claim waited 7 s to unbind ADDR from DRIVER"
 * @size: its size
 *
 * Short: a formatted extended ack holds 80 bytes, so the text names the
 * step, the function and the driver, and leaves the txid to the reply's
 * attributes (txid and the busy attributes carry all of it).
 */
void pcipass_job_where_text(const struct pcipass_job_where *w, char *buf,
			    size_t size)
{
	const char *what = w->cmd == PCIPASS_CMD_CLAIM ? "claim" : "release";
	const char *prep = w->step == PCIPASS_STEP_UNBIND ? "from" :
			   w->step == PCIPASS_STEP_OVERRIDE ? "with" : "to";

	if (w->has_addr && w->step == PCIPASS_STEP_OVERRIDE && !w->driver[0])
		scnprintf(buf, size, "a %s waited %u s to clear the override of %s",
			  what, w->ms / 1000, pcipass_astr(&w->addr).s);
	else if (w->has_addr)
		scnprintf(buf, size, "a %s waited %u s %s %s %s %s", what,
			  w->ms / 1000, pcipass_step_words(w->step),
			  pcipass_astr(&w->addr).s, prep,
			  w->driver[0] ? w->driver : "(none)");
	else
		scnprintf(buf, size, "a %s waited %u s %s %s", what,
			  w->ms / 1000, pcipass_step_words(w->step), w->driver);
}

/* The EBUSY message naming a stuck step, in rep->msg_buf. */
static void pcipass_job_busy_msg(const struct pcipass_job_where *w,
				 struct pcipass_claim_report *rep)
{
	char text[sizeof(rep->msg_buf) - sizeof("busy: ") + 1];

	pcipass_job_where_text(w, text, sizeof(text));
	pcipass_fail(rep, PCIPASS_FIELD_NONE, -EBUSY, "busy: %s", text);
}

/**
 * pcipass_job_submit() - queue a claim or release
 * @cmd: PCIPASS_CMD_CLAIM or PCIPASS_CMD_RELEASE
 * @req: the request (copied; its txid is set)
 * @busy: on -EBUSY, the message and where the running job is stuck
 * @w: on -EBUSY, where the running job waits (step 0: the queue is full)
 *
 * Return: the job with a reference for the caller, or ERR_PTR() of
 * -EBUSY (one is stuck, or the queue is full), -ENODEV (the module is
 * going), -EAGAIN (its init has not finished) or -ENOMEM.
 */
struct pcipass_job *pcipass_job_submit(u8 cmd,
				       const struct pcipass_claim_req *req,
				       struct pcipass_claim_report *busy,
				       struct pcipass_job_where *w)
{
	struct pcipass_job *job = kzalloc(sizeof(*job), GFP_KERNEL);
	int err = 0;

	memset(w, 0, sizeof(*w));
	if (!job)
		return ERR_PTR(-ENOMEM);
	job->rep = kvzalloc(sizeof(*job->rep), GFP_KERNEL);
	if (!job->rep) {
		kfree(job);
		return ERR_PTR(-ENOMEM);
	}
	kref_init(&job->ref);		/* the caller's */
	kref_get(&job->ref);		/* the list's */
	kref_get(&job->ref);		/* the work's, put when it is done */
	init_completion(&job->done);
	INIT_WORK(&job->work, pcipass_job_work);
	job->cmd = cmd;
	job->req = *req;
	job->state = PCIPASS_TX_QUEUED;

	/*
	 * Once the module is going, no job may start: exit (which runs only
	 * when no job holds a reference) finds none open and none coming.
	 */
	if (!try_module_get(THIS_MODULE)) {
		pcipass_report_free(job->rep);
		kfree(job);
		busy->msg = "pcipass is being unloaded";
		return ERR_PTR(-ENODEV);
	}
	/*
	 * The persisted claims' job (persist_job.c) is queued by module init
	 * itself, first and once, and holds every persisted group: neither
	 * the queue's limit nor another job's stuck step may turn persisted
	 * claims into host claims.
	 */
	spin_lock(&pcipass_job_lock);
	if (req->persisted) {
		err = 0;
	} else if (!pcipass_jobs_ready) {
		busy->msg = "pcipass is still loading";
		err = -EAGAIN;
	} else if (pcipass_job_refuse_locked(busy, w)) {
		err = -EBUSY;
	}
	if (err) {
		spin_unlock(&pcipass_job_lock);
		if (w->step)
			pcipass_job_busy_msg(w, busy);
		module_put(THIS_MODULE);
		pcipass_report_free(job->rep);
		kfree(job);
		return ERR_PTR(err);
	}
	job->id = pcipass_job_next++;
	if (!pcipass_job_next)
		pcipass_job_next = 1;
	job->req.txid = job->id;
	list_add_tail(&job->node, &pcipass_jobs);
	pcipass_jobs_open++;
	queue_work(pcipass_job_wq, &job->work);
	spin_unlock(&pcipass_job_lock);
	return job;
}

/**
 * pcipass_job_find() - a queued, running or recently finished job
 * @id: its txid
 * @w: filled with where the running job waits when it is this one
 *
 * Return: the job with a reference, or NULL.
 */
struct pcipass_job *pcipass_job_find(u32 id, struct pcipass_job_where *w)
{
	struct pcipass_job *job;

	memset(w, 0, sizeof(*w));
	spin_lock(&pcipass_job_lock);
	list_for_each_entry(job, &pcipass_jobs, node) {
		if (job->id != id)
			continue;
		kref_get(&job->ref);
		if (job == pcipass_job_running) {
			pcipass_job_where_locked(w);
			w->txid = job->id;
			w->cmd = job->cmd;
		}
		spin_unlock(&pcipass_job_lock);
		return job;
	}
	spin_unlock(&pcipass_job_lock);
	return NULL;
}

/*
 * Read a job's state.  The acquire pairs with the worker's release of
 * DONE: a caller that sees DONE also sees the job's err and report.
 */
u8 pcipass_job_state(const struct pcipass_job *job)
{
	return smp_load_acquire(&job->state);	/* pairs with the worker's release */
}

/**
 * pcipass_job_read() - note that a done job's outcome was handed out
 * @job: a job whose state the caller saw done
 *
 * From now on it counts among the read outcomes, which are kept fewer.
 */
void pcipass_job_read(struct pcipass_job *job)
{
	struct pcipass_job *old = NULL;

	spin_lock(&pcipass_job_lock);
	/* not when evicted meanwhile: it is no longer counted */
	if (list_empty(&job->node))
		goto out;
	/* the most recently read are the ones kept, re-reads included */
	list_move_tail(&job->node, &pcipass_jobs);
	if (!job->read) {
		job->read = true;
		pcipass_jobs_unread--;
		pcipass_jobs_read++;
		old = pcipass_job_trim_locked(true, &pcipass_jobs_read,
					      PCIPASS_JOB_KEEP_READ);
	}
out:
	spin_unlock(&pcipass_job_lock);
	if (old)
		pcipass_job_put(old);
}

int pcipass_jobs_init(void)
{
	/* 1 .. 2^30: readable, and unlikely to be what the last load used */
	pcipass_job_next = (get_random_u32() >> 2) + 1;
	pcipass_job_wq = alloc_ordered_workqueue("pcipass_claim", 0);
	return pcipass_job_wq ? 0 : -ENOMEM;
}

/*
 * The last step of module init: the interfaces are registered before the
 * bus notifier and the character device, and a job must not run (nor be
 * left behind by an init that fails) until everything it relies on is.
 */
void pcipass_jobs_start(void)
{
	spin_lock(&pcipass_job_lock);
	pcipass_jobs_ready = true;
	spin_unlock(&pcipass_job_lock);
}

/* After both interfaces are gone: nothing can submit any more. */
void pcipass_jobs_exit(void)
{
	struct pcipass_job *job, *tmp;

	destroy_workqueue(pcipass_job_wq);
	list_for_each_entry_safe(job, tmp, &pcipass_jobs, node) {
		list_del(&job->node);
		pcipass_job_put(job);
	}
}
