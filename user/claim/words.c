// SPDX-License-Identifier: GPL-2.0
/*
 * Names, sentences, fixes and exit statuses of claim, release and the
 * events.  Pure: no netlink, no output; unit-tested in tests/unit.c.
 * Unknown values (a newer module) get "unknown" rather than a crash.
 */
#include <stdio.h>
#include <string.h>

#include <linux/pcipass.h>

#include "claim/claim.h"
#include "lib/util.h"

#define UNKNOWN "unknown"

static const char *lookup(const char *const *names, size_t n, uint32_t v)
{
	return v < n && names[v] ? names[v] : UNKNOWN;
}

const char *claim_outcome_key(uint32_t outcome)
{
	static const char *const names[] = {
		[PCIPASS_OUTCOME_CLAIMED] = "claimed",
		[PCIPASS_OUTCOME_ALREADY_CLAIMED] = "already_claimed",
		[PCIPASS_OUTCOME_PLANNED] = "planned",
		[PCIPASS_OUTCOME_REFUSED] = "refused",
		[PCIPASS_OUTCOME_ROLLED_BACK] = "rolled_back",
		[PCIPASS_OUTCOME_ROLLBACK_FAILED] = "rollback_failed",
		[PCIPASS_OUTCOME_RELEASED] = "released",
		[PCIPASS_OUTCOME_RELEASE_FAILED] = "release_failed",
	};

	return lookup(names, ARRAY_SIZE(names), outcome);
}

const char *claim_state_key(uint32_t state)
{
	static const char *const names[] = {
		[PCIPASS_MEMBER_PLANNED] = "planned",
		[PCIPASS_MEMBER_CLAIMED] = "claimed",
		[PCIPASS_MEMBER_ALREADY] = "already",
		[PCIPASS_MEMBER_SKIPPED_BRIDGE] = "skipped_bridge",
		[PCIPASS_MEMBER_FAILED] = "failed",
		[PCIPASS_MEMBER_ROLLED_BACK] = "rolled_back",
		[PCIPASS_MEMBER_ROLLBACK_FAILED] = "rollback_failed",
		[PCIPASS_MEMBER_UNTOUCHED] = "untouched",
		[PCIPASS_MEMBER_RELEASED] = "released",
		[PCIPASS_MEMBER_RELEASE_FAILED] = "release_failed",
		[PCIPASS_MEMBER_GONE] = "gone",
		[PCIPASS_MEMBER_UNBOUND_BRIDGE] = "unbound_bridge",
	};

	return lookup(names, ARRAY_SIZE(names), state);
}

const char *claim_state_words(uint32_t state)
{
	static const char *const words[] = {
		[PCIPASS_MEMBER_PLANNED] = "would move",
		[PCIPASS_MEMBER_CLAIMED] = "claimed",
		[PCIPASS_MEMBER_ALREADY] = "already there",
		[PCIPASS_MEMBER_SKIPPED_BRIDGE] = "bridge, stays",
		[PCIPASS_MEMBER_FAILED] = "FAILED",
		[PCIPASS_MEMBER_ROLLED_BACK] = "rolled back",
		[PCIPASS_MEMBER_ROLLBACK_FAILED] = "ROLLBACK FAILED",
		[PCIPASS_MEMBER_UNTOUCHED] = "untouched",
		[PCIPASS_MEMBER_RELEASED] = "released",
		[PCIPASS_MEMBER_RELEASE_FAILED] = "RELEASE FAILED",
		[PCIPASS_MEMBER_GONE] = "gone (removed from the system)",
		[PCIPASS_MEMBER_UNBOUND_BRIDGE] = "bridge, unbound (its driver would keep VFIO out)",
	};

	return lookup(words, ARRAY_SIZE(words), state);
}

const char *claim_step_key(uint32_t step)
{
	static const char *const names[] = {
		[PCIPASS_STEP_OVERRIDE] = "override",
		[PCIPASS_STEP_UNBIND] = "unbind",
		[PCIPASS_STEP_BIND] = "bind",
		[PCIPASS_STEP_VERIFY] = "verify",
		[PCIPASS_STEP_RESTORE] = "restore",
	};

	return lookup(names, ARRAY_SIZE(names), step);
}

const char *claim_blocker_key(uint32_t reason)
{
	static const char *const names[] = {
		[PCIPASS_BLOCKER_BOOT_VGA] = "boot_vga",
		[PCIPASS_BLOCKER_BLOCK_IN_USE] = "block_in_use",
		[PCIPASS_BLOCKER_ROOT_FS] = "root_fs",
		[PCIPASS_BLOCKER_NETDEV_ACTIVE] = "netdev_active",
		[PCIPASS_BLOCKER_ACTIVE_VFS] = "active_vfs",
		[PCIPASS_BLOCKER_CLAIMED_OTHER] = "claimed_other",
		[PCIPASS_BLOCKER_VFIO_IN_USE] = "vfio_in_use",
	};

	return lookup(names, ARRAY_SIZE(names), reason);
}

const char *claim_event_key(uint32_t type)
{
	static const char *const names[] = {
		[PCIPASS_EVENT_DEVICE_ADDED] = "device_added",
		[PCIPASS_EVENT_DEVICE_REMOVED] = "device_removed",
		[PCIPASS_EVENT_DRIVER_BOUND] = "driver_bound",
		[PCIPASS_EVENT_DRIVER_UNBOUND] = "driver_unbound",
		[PCIPASS_EVENT_OVERRIDE_CHANGED] = "override_changed",
		[PCIPASS_EVENT_CLAIM_STARTED] = "claim_started",
		[PCIPASS_EVENT_CLAIM_FINISHED] = "claim_finished",
		[PCIPASS_EVENT_RELEASE_STARTED] = "release_started",
		[PCIPASS_EVENT_RELEASE_FINISHED] = "release_finished",
	};

	return lookup(names, ARRAY_SIZE(names), type);
}

const char *claim_hyphenate(const char *key, char *buf, size_t size)
{
	size_t i;

	if (!size)
		return "";
	for (i = 0; key[i] && i + 1 < size; i++)
		buf[i] = key[i] == '_' ? '-' : key[i];
	buf[i] = '\0';
	return buf;
}

/* ------------------------------------------------------------ blockers */

bool claim_blocker_forceable(uint32_t reason)
{
	switch (reason) {
	case PCIPASS_BLOCKER_BOOT_VGA:
	case PCIPASS_BLOCKER_BLOCK_IN_USE:
	case PCIPASS_BLOCKER_NETDEV_ACTIVE:
		return true;
	default:
		return false;
	}
}

const char *claim_blocker_text(const struct claim_blocker *b, char *buf,
			       size_t size)
{
	const char *d = b->detail;
	char a[ADDR_STRLEN];

	addr_fmt(&b->addr, a);
	switch (b->reason) {
	case PCIPASS_BLOCKER_BOOT_VGA:
		snprintf(buf, size, "%s is the boot VGA device", a);
		break;
	case PCIPASS_BLOCKER_BLOCK_IN_USE:
		snprintf(buf, size, "%s holds %s, in use by the host", a,
			 d ? d : "a block device");
		break;
	case PCIPASS_BLOCKER_ROOT_FS:
		snprintf(buf, size, "%s holds the host's root filesystem%s%s%s",
			 a, d ? " (" : "", d ? d : "", d ? ")" : "");
		break;
	case PCIPASS_BLOCKER_NETDEV_ACTIVE:
		snprintf(buf, size, "%s has network interface %s up with addresses",
			 a, d ? d : "(unnamed)");
		break;
	case PCIPASS_BLOCKER_ACTIVE_VFS:
		snprintf(buf, size, "%s has SR-IOV VFs enabled, which unbinding it destroys%s%s%s",
			 a, d ? " (" : "", d ? d : "", d ? ")" : "");
		break;
	case PCIPASS_BLOCKER_CLAIMED_OTHER:
		snprintf(buf, size, "%s is in a group claimed for %s", a,
			 d ? d : "another driver");
		break;
	case PCIPASS_BLOCKER_VFIO_IN_USE:
		snprintf(buf, size, "%s is in a group in use by %s%s%s", a,
			 b->holder ? b->holder : "a VFIO user (a VM)",
			 d ? " through " : "", d ? d : "");
		break;
	default:
		snprintf(buf, size, "%s: safety check %u failed (unknown to this pcipass%s%s)",
			 a, b->reason, d ? ": " : "", d ? d : "");
		break;
	}
	return buf;
}

/*
 * A word for a shell: as it is when it holds only characters no shell
 * treats specially, else in single quotes.  Interface and namespace
 * names are chosen by whoever runs the container ("x;reboot" is a valid
 * interface name), and operators paste these commands as root.
 */
static const char *shell_word(const char *s, size_t len, char *buf,
			      size_t size)
{
	static const char plain[] = "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789._-@%+=:,";
	size_t n = 0;

	if (!size)
		return "";
	if (len && strspn(s, plain) >= len) {
		snprintf(buf, size, "%.*s", (int)len, s);
		return buf;
	}
	buf[n++] = '\'';
	for (size_t i = 0; i < len && n + 5 < size; i++) {
		if (s[i] == '\'') {
			memcpy(buf + n, "'\\''", 4);
			n += 4;
		} else {
			buf[n++] = s[i];
		}
	}
	buf[n++] = '\'';
	buf[n] = '\0';
	return buf;
}

/*
 * The ip command for the namespace an interface detail names: "ip -n ct1"
 * for "eth1 (netns ct1)", "nsenter -t 812 -n ip" for "eth1 (netns of PID
 * 812 (lxc-start))", plain "ip" otherwise.
 */
static const char *ip_in(const char *detail, char *buf, size_t size)
{
	const char *ns = detail ? strstr(detail, "(netns ") : NULL;
	unsigned int pid;
	char name[96];

	snprintf(buf, size, "ip");
	if (!ns)
		return buf;
	ns += strlen("(netns ");
	if (sscanf(ns, "of PID %u", &pid) == 1)
		snprintf(buf, size, "nsenter -t %u -n ip", pid);
	else
		snprintf(buf, size, "ip -n %s",
			 shell_word(ns, strcspn(ns, ")"), name, sizeof(name)));
	return buf;
}

const char *claim_blocker_fix(const struct claim_blocker *b, char *buf,
			      size_t size)
{
	char a[ADDR_STRLEN], ifname[96] = "IFACE", ipcmd[128];

	/* "vmbr0 (bridge over eno1)", "eth1 (netns ct1)": the interface */
	if (b->detail && b->detail[0])
		shell_word(b->detail, strcspn(b->detail, " "), ifname,
			   sizeof(ifname));

	addr_fmt(&b->addr, a);
	switch (b->reason) {
	case PCIPASS_BLOCKER_BOOT_VGA:
		snprintf(buf, size, "use --force to take it anyway; the host loses its console");
		break;
	case PCIPASS_BLOCKER_BLOCK_IN_USE:
		snprintf(buf, size, "unmount it, swapoff it, or stop what is built on it (vgchange -an VG, mdadm --stop, cryptsetup close), then try again; or use --force");
		break;
	case PCIPASS_BLOCKER_ROOT_FS:
		snprintf(buf, size, "never taken, not even with --force: the host runs from it");
		break;
	case PCIPASS_BLOCKER_NETDEV_ACTIVE:
		snprintf(buf, size, "take it down first, not over that connection: %s addr flush dev %s && %s link set %s down; or use --force",
			 ip_in(b->detail, ipcmd, sizeof(ipcmd)), ifname, ipcmd,
			 ifname);
		break;
	case PCIPASS_BLOCKER_ACTIVE_VFS:
		snprintf(buf, size, "disable them first: echo 0 > /sys/bus/pci/devices/%s/sriov_numvfs (--force does not override this)",
			 a);
		break;
	case PCIPASS_BLOCKER_CLAIMED_OTHER:
		snprintf(buf, size, "release it first: pcipass release %s (--force does not override this)",
			 a);
		break;
	case PCIPASS_BLOCKER_VFIO_IN_USE:
		snprintf(buf, size, "stop the VM first; --force does not override this");
		break;
	default:
		return NULL;
	}
	return buf;
}

/* ------------------------------------------------------------ members */

static bool same_driver(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* What to run when a member is stranded.  After a failed claim its
 * original override and driver are known (from-*); after a failed release
 * they are not (from-* is the claim's state), so the override is cleared
 * and the kernel picks the driver.
 */
const char *claim_member_fix(enum claim_op op, const struct claim_member *m,
			     char *buf, size_t size)
{
	const char *ovr = NULL, *drv = NULL, *later = NULL;
	char a[ADDR_STRLEN];
	size_t off;

	if (m->state != PCIPASS_MEMBER_ROLLBACK_FAILED &&
	    m->state != PCIPASS_MEMBER_RELEASE_FAILED)
		return NULL;
	addr_fmt(&m->addr, a);
	if (op == CLAIM_OP_CLAIM) {
		ovr = m->from_override;
		drv = m->from_driver;
	}
	/* An override naming another driver would refuse the bind: clear
	 * it first, put it back after the bind.
	 */
	if (ovr && drv && !same_driver(ovr, drv) &&
	    !same_driver(m->to_driver, drv)) {
		later = ovr;
		ovr = NULL;
	}
	off = snprintf(buf, size, "echo %s%s> /sys/bus/pci/devices/%s/driver_override",
		       ovr ? ovr : "", ovr ? " " : "", a);
	if (m->to_driver && (op != CLAIM_OP_CLAIM || !same_driver(m->to_driver, drv)) &&
	    off < size)
		off += snprintf(buf + off, size - off,
				"; echo %s > /sys/bus/pci/devices/%s/driver/unbind",
				a, a);
	if (off >= size)
		return buf;
	if (op != CLAIM_OP_CLAIM)
		snprintf(buf + off, size - off,
			 "; echo %s > /sys/bus/pci/drivers_probe", a);
	else if (drv && !same_driver(m->to_driver, drv))
		off += snprintf(buf + off, size - off,
				"; echo %s > /sys/bus/pci/drivers/%s/bind", a, drv);
	if (later && off < size)
		snprintf(buf + off, size - off,
			 "; echo %s > /sys/bus/pci/devices/%s/driver_override",
			 later, a);
	return buf;
}

/* ------------------------------------------------------------ summary */

static size_t count_state(const struct claim_report *rep, uint32_t state)
{
	size_t n = 0;

	for (size_t i = 0; i < rep->nr_members; i++)
		n += rep->members[i].state == state;
	return n;
}

static size_t count_functions(const struct claim_report *rep)
{
	return rep->nr_members - count_state(rep, PCIPASS_MEMBER_SKIPPED_BRIDGE) -
	       count_state(rep, PCIPASS_MEMBER_GONE);
}

static size_t count_refusals(const struct claim_report *rep)
{
	size_t n = 0;

	for (size_t i = 0; i < rep->nr_blockers; i++)
		n += !rep->blockers[i].forced;
	return n;
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* "bind failed on 0000:06:00.1 (No such device)" */
static const char *failure_words(const struct claim_report *rep, char *buf,
				 size_t size)
{
	char a[ADDR_STRLEN];

	for (size_t i = 0; i < rep->nr_members; i++) {
		const struct claim_member *m = &rep->members[i];

		if (m->state != PCIPASS_MEMBER_FAILED)
			continue;
		snprintf(buf, size, "%s failed on %s (%s)",
			 m->has_step ? claim_step_key(m->step) : "a step",
			 addr_fmt(&m->addr, a),
			 m->error ? strerror(-m->error) : "no error code");
		return buf;
	}
	snprintf(buf, size, "a step failed");
	return buf;
}

const char *claim_summary(enum claim_op op, const struct claim_req *req,
			  const struct claim_report *rep, char *buf,
			  size_t size)
{
	const char *drv = rep->driver ? rep->driver :
			  req && req->driver ? req->driver :
			  op == CLAIM_OP_CLAIM ? CLAIM_DEFAULT_DRIVER : "its driver";
	bool dry = req && (req->flags & PCIPASS_CLAIM_F_DRY_RUN);
	char grp[32], why[160];
	size_t n;

	if (rep->has_group)
		snprintf(grp, sizeof(grp), "group %u", rep->group);
	else
		snprintf(grp, sizeof(grp), "the group");
	if (!rep->has_outcome) {
		snprintf(buf, size, "%s: the kernel's reply has no outcome", grp);
		return buf;
	}
	switch (rep->outcome) {
	case PCIPASS_OUTCOME_CLAIMED:
		n = count_functions(rep);
		snprintf(buf, size, "%s claimed for %s: %zu %s", grp, drv, n,
			 plural(n, "function", "functions"));
		break;
	case PCIPASS_OUTCOME_ALREADY_CLAIMED:
		snprintf(buf, size, "%s already claimed for %s: nothing changed",
			 grp, drv);
		break;
	case PCIPASS_OUTCOME_PLANNED:
		n = count_state(rep, PCIPASS_MEMBER_PLANNED);
		snprintf(buf, size, "%s can be %s %s %s: %zu %s would move (dry run, nothing changed)",
			 grp, op == CLAIM_OP_CLAIM ? "claimed" : "released",
			 op == CLAIM_OP_CLAIM ? "for" : "from", drv, n,
			 plural(n, "function", "functions"));
		break;
	case PCIPASS_OUTCOME_REFUSED:
		n = count_refusals(rep);
		if (n)
			snprintf(why, sizeof(why), "refused by %zu safety %s",
				 n, plural(n, "check", "checks"));
		else
			snprintf(why, sizeof(why), "refused by a pre-flight check");
		snprintf(buf, size, "%s %s %s %s: %s, nothing changed%s", grp,
			 dry ? "cannot be" : "not",
			 op == CLAIM_OP_CLAIM ? "claimed for" : "released from",
			 drv, why, dry ? " (dry run)" : "");
		break;
	case PCIPASS_OUTCOME_ROLLED_BACK:
		snprintf(buf, size, "%s not claimed for %s: %s; every member restored",
			 grp, drv, failure_words(rep, why, sizeof(why)));
		break;
	case PCIPASS_OUTCOME_ROLLBACK_FAILED:
		n = count_state(rep, PCIPASS_MEMBER_ROLLBACK_FAILED);
		snprintf(buf, size, "%s not claimed for %s: %s, and %zu %s could not be restored: the host needs attention",
			 grp, drv, failure_words(rep, why, sizeof(why)), n,
			 plural(n, "function", "functions"));
		break;
	case PCIPASS_OUTCOME_RELEASED:
		n = count_functions(rep);
		snprintf(buf, size, "%s released from %s: %zu %s back on %s own %s",
			 grp, drv, n, plural(n, "function", "functions"),
			 plural(n, "its", "their"),
			 plural(n, "driver", "drivers"));
		break;
	case PCIPASS_OUTCOME_RELEASE_FAILED:
		n = count_state(rep, PCIPASS_MEMBER_RELEASE_FAILED);
		snprintf(buf, size, "%s not fully released from %s: %zu %s could not be given back: the host needs attention",
			 grp, drv, n, plural(n, "function", "functions"));
		break;
	default:
		snprintf(buf, size, "%s: outcome %u (unknown to this pcipass)",
			 grp, rep->outcome);
		break;
	}
	return buf;
}

/* ------------------------------------------------------------ exit */

bool claim_outcome_ok(uint32_t outcome)
{
	switch (outcome) {
	case PCIPASS_OUTCOME_CLAIMED:
	case PCIPASS_OUTCOME_ALREADY_CLAIMED:
	case PCIPASS_OUTCOME_PLANNED:
	case PCIPASS_OUTCOME_RELEASED:
		return true;
	default:
		return false;
	}
}

bool claim_report_usable(const struct claim_report *rep, int err)
{
	return rep->has_reply && rep->has_outcome &&
	       !(err && claim_outcome_ok(rep->outcome));
}

int claim_exit(const struct claim_report *rep, int err)
{
	if (!rep->has_reply || !rep->has_outcome)
		return EXIT_RUNTIME;
	switch (rep->outcome) {
	case PCIPASS_OUTCOME_CLAIMED:
	case PCIPASS_OUTCOME_ALREADY_CLAIMED:
	case PCIPASS_OUTCOME_PLANNED:
	case PCIPASS_OUTCOME_RELEASED:
		return err ? EXIT_RUNTIME : EXIT_OK;
	case PCIPASS_OUTCOME_REFUSED:
		/*
		 * Only a safety check is exit 6; a pre-flight error with no
		 * blocker (no memory, a function whose probe holds its lock)
		 * is worth a retry, not a change of plan.
		 */
		return count_refusals(rep) ? EXIT_REFUSED : EXIT_RUNTIME;
	case PCIPASS_OUTCOME_ROLLED_BACK:
		return EXIT_RUNTIME;
	case PCIPASS_OUTCOME_ROLLBACK_FAILED:
	case PCIPASS_OUTCOME_RELEASE_FAILED:
		return EXIT_ATTENTION;
	default:
		/* A newer module's outcome: its error says how it went. */
		return err ? EXIT_RUNTIME : EXIT_OK;
	}
}
