/*
 * A security label provider for the tests, named "partition_test": loaded through shared_preload_libraries into Debian's
 * PostgreSQL 15, it lets SECURITY LABEL run where sepgsql cannot (sepgsql needs an SELinux kernel). It accepts every
 * label, as PostgreSQL's own test module src/test/modules/dummy_seclabel does for the labels it knows: what the tests
 * check is that the plugin carries the labels pg_seclabel holds, not what a label means. Built by
 * io.github.partitionmaven.testing.LabelProvider with the server's headers (postgresql-server-dev-15).
 */
#include "postgres.h"

#include "commands/seclabel.h"
#include "fmgr.h"

PG_MODULE_MAGIC;

void _PG_init(void);

static void
accept_every_label(const ObjectAddress *object, const char *seclabel)
{
	(void) object;
	(void) seclabel;
}

void
_PG_init(void)
{
	register_label_provider("partition_test", accept_every_label);
}
