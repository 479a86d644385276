// SPDX-License-Identifier: GPL-2.0
/*
 * A libvirt domain's unmanaged PCI hostdevs (hook/libvirt_xml.h), read with
 * libxml2 and XPath: no network, no entities, no DTD loading.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "hook/libvirt_xml.h"
#include "lib/util.h"

/* An address attribute: hex with 0x, or decimal, as libvirt accepts. */
static bool attr_num(xmlNodePtr node, const char *name, unsigned long max,
		     unsigned long *v)
{
	xmlChar *s = xmlGetProp(node, (const xmlChar *)name);
	char *end;
	bool ok;

	if (!s)
		return false;
	*v = strtoul((const char *)s, &end, 0);
	ok = *s && !*end && *v <= max;
	xmlFree(s);
	return ok;
}

static bool is_no(xmlNodePtr node, const char *name)
{
	xmlChar *s = xmlGetProp(node, (const xmlChar *)name);
	bool no = !s || !xmlStrcmp(s, (const xmlChar *)"no");

	xmlFree(s);
	return no;
}

/* The <source><address .../></source> of one hostdev. */
static int hostdev_addr(xmlXPathContextPtr ctx, xmlNodePtr hd,
			struct hook_fn *f, unsigned int index, char *why,
			size_t size)
{
	xmlXPathObjectPtr r;
	xmlNodePtr a = NULL;
	unsigned long dom, bus, slot, fn;

	ctx->node = hd;
	r = xmlXPathEvalExpression((const xmlChar *)"source/address", ctx);
	if (r && r->nodesetval && r->nodesetval->nodeNr == 1)
		a = r->nodesetval->nodeTab[0];
	xmlXPathFreeObject(r);
	if (!a || !attr_num(a, "domain", 0xffff, &dom) ||
	    !attr_num(a, "bus", 0xff, &bus) || !attr_num(a, "slot", 0x1f, &slot) ||
	    !attr_num(a, "function", 7, &fn))
		return fail_why(-EINVAL, why, size, "hostdev %u: expected <source><address domain= bus= slot= function=/></source>",
			   index);
	snprintf(f->addr, sizeof(f->addr), "%04lx:%02lx:%02lx.%lx", dom, bus,
		 slot, fn);
	snprintf(f->from, sizeof(f->from), "hostdev %u", index);
	return 0;
}

int libvirt_unmanaged_pci(const char *xml, size_t len, struct hook_fn *v,
			  size_t max, size_t *n, char *why, size_t size)
{
	xmlDocPtr doc;
	xmlXPathContextPtr ctx;
	xmlXPathObjectPtr r;
	int err = 0;

	*n = 0;
	doc = xmlReadMemory(xml, (int)len, "domain.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc)
		return fail_why(-EINVAL, why, size, "the domain XML on stdin is not XML");
	ctx = xmlXPathNewContext(doc);
	r = ctx ? xmlXPathEvalExpression((const xmlChar *)
		"/domain/devices/hostdev[@mode='subsystem' and @type='pci']", ctx) : NULL;
	if (!xmlDocGetRootElement(doc) ||
	    xmlStrcmp(xmlDocGetRootElement(doc)->name, (const xmlChar *)"domain"))
		err = fail_why(-EINVAL, why, size, "the XML on stdin is not a <domain>");
	for (int i = 0; !err && r && r->nodesetval && i < r->nodesetval->nodeNr; i++) {
		xmlNodePtr hd = r->nodesetval->nodeTab[i];

		if (!is_no(hd, "managed"))
			continue;	/* libvirt detaches it itself */
		if (*n >= max)
			err = fail_why(-EINVAL, why, size, "more than %zu unmanaged PCI hostdevs", max);
		else
			err = hostdev_addr(ctx, hd, &v[*n], (unsigned int)i, why, size);
		if (!err)
			(*n)++;
	}
	xmlXPathFreeObject(r);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	return err;
}
