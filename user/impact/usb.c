// SPDX-License-Identifier: GPL-2.0
/*
 * USB devices behind a USB host controller function: every one of them
 * leaves the host with the controller.  Keyboards and mice are flagged
 * (the local console's input); storage shows up again under "block".
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impact/impact_int.h"
#include "lib/syspath.h"
#include "lib/sysroot.h"
#include "lib/util.h"

/* USB class codes (usb.org): interface and device classes */
#define USB_CLASS_HID		0x03
#define USB_CLASS_STORAGE	0x08
#define USB_CLASS_HUB		0x09
#define HID_BOOT_KEYBOARD	0x01
#define HID_BOOT_MOUSE		0x02

static char *usb_attr(const char *dev, const char *attr)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/usb/devices/%s/%s", dev, attr);
	return sysroot_read_line(path);
}

/* USB descriptors print as bare hex: "03", "046d". */
static bool usb_hex(const char *dev, const char *attr, unsigned int *v)
{
	char *s = usb_attr(dev, attr);
	char *end;
	bool ok = false;

	if (s) {
		*v = strtoul(s, &end, 16);
		ok = end != s && !*end;
	}
	free(s);
	return ok;
}

static void classify_interface(struct imp_usb *u, const char *intf)
{
	unsigned int cls, proto;

	if (!usb_hex(intf, "bInterfaceClass", &cls))
		return;
	if (cls == USB_CLASS_STORAGE)
		u->storage = true;
	if (cls != USB_CLASS_HID)
		return;
	u->hid = true;
	/* The boot protocol is what every keyboard and mouse speaks;
	 * report-protocol-only devices stay plain "HID".
	 */
	if (usb_hex(intf, "bInterfaceProtocol", &proto)) {
		u->keyboard |= proto == HID_BOOT_KEYBOARD;
		u->mouse |= proto == HID_BOOT_MOUSE;
	}
}

/* Interfaces are "<bus_id>:<config>.<n>" directories of the device. */
static void classify(struct imp_usb *u)
{
	char dir[PATH_MAX];
	size_t n, len = strlen(u->bus_id);
	char **names;
	unsigned int cls;

	if (usb_hex(u->bus_id, "bDeviceClass", &cls))
		u->hub = cls == USB_CLASS_HUB;
	snprintf(dir, sizeof(dir), "/sys/bus/usb/devices/%s", u->bus_id);
	names = sysroot_list(dir, &n);
	for (size_t i = 0; i < n; i++)
		if (!strncmp(names[i], u->bus_id, len) && names[i][len] == ':')
			classify_interface(u, names[i]);
	sysroot_free_names(names, n);
}

static void add(struct imp_func *f, const char *bus_id)
{
	struct imp_usb *u = VEC_PUSH(f->usb, f->nusb);

	u->bus_id = xstrdup(bus_id);
	u->has_ids = usb_hex(bus_id, "idVendor", &u->vendor) &&
		     usb_hex(bus_id, "idProduct", &u->product);
	u->manufacturer = usb_attr(bus_id, "manufacturer");
	u->product_name = usb_attr(bus_id, "product");
	classify(u);
}

void impact_usb_gather(struct imp_func *f)
{
	size_t n;
	char **names = sysroot_list("/sys/bus/usb/devices", &n);

	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX];
		char *real;

		/* interfaces have a ':'; usbN are the controller's own
		 * root hubs, which go and come with it
		 */
		if (strchr(names[i], ':') || !strncmp(names[i], "usb", 3))
			continue;
		snprintf(path, sizeof(path), "/sys/bus/usb/devices/%s",
			 names[i]);
		real = syspath_resolve(path);
		if (real && syspath_under(real, f->path))
			add(f, names[i]);
		free(real);
	}
	sysroot_free_names(names, n);
}
