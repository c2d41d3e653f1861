"""An example rule pack: two rules built on `checker.api`, loadable as a directory or installed."""

from acme_rules.log_group_per_function import RULE as LOG_GROUP_PER_FUNCTION
from acme_rules.table_deletion_protection import RULE as TABLE_DELETION_PROTECTION

RULES = [TABLE_DELETION_PROTECTION, LOG_GROUP_PER_FUNCTION]
