/*
 * The schema version this build expects: the number of the newest file in
 * sql/. /readiness answers 503 while the database is at another version, and
 * a unit test keeps this number and sql/ in step.
 */
#ifndef COCKPIT_SCHEMA_H
#define COCKPIT_SCHEMA_H

#define COCKPIT_SCHEMA_VERSION	10

#endif
