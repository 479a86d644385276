/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcipass claim: hand a whole IOMMU group to one driver, all or nothing,
 * and give it back later.  Both userspace interfaces (netlink_claim.c,
 * chardev_claim.c) fill a struct pcipass_claim_req and submit it as a job
 * (claim_job.c), whose worker calls pcipass_claim() or pcipass_release()
 * and keeps the struct pcipass_claim_report.
 *
 *   claim_job.c - the jobs: queue, worker, where a job waits, outcomes;
 *   claim.c     - the transaction (members, overrides, unbind, bind,
 *                 verify, rollback) and the remembered originals;
 *   events.c    - the events multicast group.
 *
 * Lock ordering (outermost first):
 *   the job worker (pcipass_claim wq; holds no lock of anybody else's:
 *   genetlink's cb_lock is never held across a transaction)
 *   -> pcipass_claim_lock (claim.c; serializes transactions)
 *   -> device_lock (taken by the driver core inside device_release_driver()
 *      and device_driver_attach(), and on 6.1 by driver_set_override();
 *      pcipass takes it itself only briefly, bounded, to read a driver
 *      name, never across release/attach)
 *   -> pcipass_persist_lock (persist.c mutex; the persisted entries,
 *      matched by a persisted claim's transaction; also taken from the
 *      bus notifier): a leaf, never held across anything that waits
 *   -> pcipass_rec_lock (claim_rec.c spinlock; the remembered originals;
 *      also taken from the bus notifier): a leaf; pcipass_job_lock
 *      (claim_job.c spinlock): only the workqueue's pool lock under it
 * The IOMMU group's mutex is held only inside iommu_group_for_each_dev(),
 * whose callback only takes references.
 */
#ifndef _PCIPASS_CLAIM_H
#define _PCIPASS_CLAIM_H

#include <linux/completion.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <uapi/linux/pcipass.h>

#include "core.h"

struct pci_dev;

#define PCIPASS_DRIVER_MAX	PCIPASS_DRIVER_NAME_MAX	/* NUL included */
#define PCIPASS_DETAIL_MAX	64
/*
 * The largest IOMMU group a claim takes; larger ones are refused (-E2BIG).
 * Per-member state is allocated by the group's real size, so this bounds
 * only what one transaction does and what one reply carries: a group
 * shares one claim-get reply message (netlink_claim.c sizes it by the
 * members' names, at most about 270 bytes each, so at most ~270 KiB; a
 * ~100-byte member is typical), and a transaction unbinds and binds
 * every member in turn.  A PF without ACS shares its group with all of
 * its VFs: PF + TotalVFs, 127 or 255 VFs on real devices; several such
 * PFs behind one port without ACS share one group too.  1024 leaves
 * room for four full buses' worth of functions (4 x 256).
 */
#define PCIPASS_CLAIM_MEMBERS_MAX	1024
#define PCIPASS_CLAIM_BLOCKERS	16
#define PCIPASS_CLAIM_DEFAULT	"vfio-pci"

/**
 * struct pcipass_claim_req - what userspace asked for
 * @addr: a function of the group (when !@by_group)
 * @group: the IOMMU group id (when @by_group)
 * @by_group: the group was named by id
 * @flags: PCIPASS_CLAIM_F_* (validated by the interface)
 * @driver: target driver name; empty means PCIPASS_CLAIM_DEFAULT
 * @may_load: the requester has CAP_SYS_MODULE: a target driver that is
 *            not registered may be loaded by name.  Without it only
 *            vfio-pci and its variant drivers are loaded on demand.
 * @persisted: a persisted claim (persist.c): an override naming the target
 *             was set by pcipass, not found, and what the function goes
 *             back to on release is whatever matches it, as at boot
 * @txid: the job running it (set by pcipass_job_submit())
 *
 * What the host would lose (its root filesystem, disks in use, interfaces
 * with addresses) is not the module's to judge: userspace decides that
 * before it asks (the pcipass CLI does), as it does for any sysfs write.
 */
struct pcipass_claim_req {
	struct pcipass_addr addr;
	u32 group;
	bool by_group;
	u32 flags;
	char driver[PCIPASS_DRIVER_MAX];
	bool may_load;
	bool persisted;
	u32 txid;
};

/**
 * struct pcipass_claim_member - what happened to one member
 * @addr: its address
 * @state: enum pcipass_member_state
 * @step: enum pcipass_step of @error
 * @error: negative errno of the failed step, or 0
 * @from_driver: driver before the transaction ("" when unbound)
 * @from_override: driver_override before ("" when none; truncated)
 * @to_driver: driver afterwards, or the plan ("" when unbound)
 */
struct pcipass_claim_member {
	struct pcipass_addr addr;
	u8 state;
	u8 step;
	int error;
	char from_driver[PCIPASS_DRIVER_MAX];
	char from_override[PCIPASS_DRIVER_MAX];
	char to_driver[PCIPASS_DRIVER_MAX];
};

/**
 * struct pcipass_claim_blocker - why a member may not be taken
 * @addr: the member
 * @reason: enum pcipass_blocker_reason
 * @forced: the force flag overrode it
 * @detail: what is in use, e.g. "nvme0n1p2" or "eth0"
 */
struct pcipass_claim_blocker {
	struct pcipass_addr addr;
	u8 reason;
	bool forced;
	char detail[PCIPASS_DETAIL_MAX];
};

/**
 * struct pcipass_claim_report - the answer to a claim or release
 * @outcome: enum pcipass_outcome (valid once a group was found)
 * @has_group: @group is valid
 * @group: the group acted on
 * @driver: the target driver
 * @nr_members: entries in @members
 * @members: every PCI member, in claim order; allocated for the group by
 *           the transaction (kvcalloc()), freed by pcipass_report_free()
 * @nr_blockers: entries in @blockers
 * @blockers: what stopped (or would have stopped) the claim
 * @msg: extended-ack message for an error (static or @msg_buf)
 * @bad_attr: which request field @msg is about (enum pcipass_claim_field)
 * @msg_buf: storage for a formatted @msg
 */
struct pcipass_claim_report {
	u8 outcome;
	bool has_group;
	u32 group;
	char driver[PCIPASS_DRIVER_MAX];
	unsigned int nr_members;
	struct pcipass_claim_member *members;
	unsigned int nr_blockers;
	struct pcipass_claim_blocker blockers[PCIPASS_CLAIM_BLOCKERS];
	const char *msg;
	u8 bad_attr;
	char msg_buf[160];
};

/* Request fields an error message can be about. */
enum pcipass_claim_field {
	PCIPASS_FIELD_NONE,
	PCIPASS_FIELD_ADDR,
	PCIPASS_FIELD_GROUP,
	PCIPASS_FIELD_DRIVER,
	PCIPASS_FIELD_FLAGS,
};

/**
 * struct pcipass_job - one claim or release, queued, running or done
 * @ref: the job list's reference and each user's
 * @work: on the ordered pcipass_claim workqueue
 * @node: in the job list (claim_job.c): by submission, read ones moved last
 * @id: the txid userspace knows it by (never 0)
 * @cmd: PCIPASS_CMD_CLAIM or PCIPASS_CMD_RELEASE
 * @state: enum pcipass_tx_state
 * @err: the transaction's result, once @state is done
 * @read: its outcome was handed out (claim-get or the ioctl that waited)
 * @req: the request
 * @rep: the report, final once @state is done
 * @done: completed when @state becomes done
 */
struct pcipass_job {
	struct kref ref;
	struct work_struct work;
	struct list_head node;
	u32 id;
	u8 cmd;
	u8 state;
	bool read;
	int err;
	struct pcipass_claim_req req;
	struct pcipass_claim_report *rep;
	struct completion done;
};

/**
 * struct pcipass_job_where - the step the running job waits in
 * @txid: the running job
 * @cmd: its command
 * @step: enum pcipass_step (override, unbind, bind, load-module); 0: none
 * @has_addr: @addr is valid
 * @addr: the function whose driver or override it waits for
 * @driver: that driver, the override being written, or the module
 * @since: jiffies when the step began
 * @ms: how long it has lasted
 */
struct pcipass_job_where {
	u32 txid;
	u8 cmd;
	u8 step;
	bool has_addr;
	struct pcipass_addr addr;
	char driver[PCIPASS_DRIVER_MAX];
	unsigned long since;
	unsigned int ms;
};

int pcipass_jobs_init(void);
void pcipass_jobs_start(void);
void pcipass_jobs_exit(void);
struct pcipass_job *pcipass_job_submit(u8 cmd,
				       const struct pcipass_claim_req *req,
				       struct pcipass_claim_report *busy,
				       struct pcipass_job_where *w);
struct pcipass_job *pcipass_job_find(u32 id, struct pcipass_job_where *w);
u8 pcipass_job_state(const struct pcipass_job *job);
void pcipass_job_read(struct pcipass_job *job);
void pcipass_job_put(struct pcipass_job *job);
void pcipass_job_where_text(const struct pcipass_job_where *w, char *buf,
			    size_t size);
void pcipass_job_step(u8 step, struct pci_dev *pdev, const char *driver);
int pcipass_claim_precheck(const struct pcipass_claim_req *req, bool claim,
			   struct pcipass_claim_report *rep);

void pcipass_claim_uninit(void);
void pcipass_report_free(struct pcipass_claim_report *rep);
void pcipass_report_reset(struct pcipass_claim_report *rep);
struct iommu_group;
int pcipass_group_devs(struct iommu_group *group, struct pci_dev ***devs);
void pcipass_group_devs_put(struct pci_dev **devs, unsigned int n);
int pcipass_claim(const struct pcipass_claim_req *req,
		  struct pcipass_claim_report *rep);
int pcipass_release(const struct pcipass_claim_req *req,
		    struct pcipass_claim_report *rep);
void pcipass_claim_forget(struct pci_dev *pdev);
bool pcipass_is_bridge(struct pci_dev *pdev);
bool pcipass_driver_registered(const char *name);
int pcipass_rec_add_persisted(struct pci_dev *pdev, const char *driver);

/* Events (events.c); each is a no-op when nobody listens. */
void pcipass_event_device(u8 type, struct pci_dev *pdev, const char *driver);
void pcipass_event_override(struct pci_dev *pdev, const char *override);
void pcipass_event_claim(u8 type, const struct pcipass_claim_req *req,
			 const struct pcipass_claim_report *rep, int error);

#endif /* _PCIPASS_CLAIM_H */
