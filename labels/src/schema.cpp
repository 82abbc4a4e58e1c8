#include "backupctl/labels/schema.hpp"

#include <array>

namespace bk::labels {
namespace {

using enum ValueType;

constexpr std::array kSchema{
    LabelSpec{"enable", boolean, "not backed up", "Opt in: `true` makes this container a target."},
    LabelSpec{"scope",
              name,
              "unscoped",
              "Only an operator started with the same `scope` handles this container."},
    LabelSpec{"name",
              name,
              "`<compose project>-<compose service>`, else the container name",
              "Target name: keys snapshots, audit rows, locks and metrics; stays the same when "
              "the container is recreated."},
    LabelSpec{"db.type",
              db_type,
              "from the image name",
              "A database kind: see \"Database kinds\" below."},
    LabelSpec{"db.name",
              db_names,
              "from the target's env (`POSTGRES_DB`, `MYSQL_DATABASE`, ...), else all",
              "Database(s) to dump, comma-separated, or `*` for all (with globals). A name may not "
              "start with `-`."},
    LabelSpec{"db.path",
              text,
              "none (needed by file kinds)",
              "File kinds (`sqlite`): the database files inside the container, absolute paths, "
              "comma-separated; each must be in a named volume of the container. Copied by the "
              "operator's helper image (`defaults.client_images.sqlite`)."},
    LabelSpec{"db.user",
              text,
              "from the target's env, else `postgres` / `root`",
              "User to dump as (not starting with `-`)."},
    LabelSpec{"db.password-env",
              env_name,
              "the image's usual variable",
              "NAME of the target's environment variable that holds the password (its `_FILE` "
              "form is read from the target through the Engine API). Never the password itself."},
    LabelSpec{"db.image",
              image,
              "the target's own image (exact client version)",
              "Image for the dump container; must match the operator's `security.dump_images`."},
    LabelSpec{"network",
              network,
              "the first user-defined network of the container",
              "Network the dump container joins to reach the target, when it has several."},
    LabelSpec{"volumes",
              volumes,
              "none",
              "Volumes (by name) or mount paths of the target to back up as files, "
              "comma-separated, or `*` for all of its mounts."},
    LabelSpec{"stop-during-backup",
              boolean,
              "`false`",
              "Stop the target for the files part, then restore its previous state."},
    LabelSpec{"cron",
              cron,
              "the config's `defaults.cron`",
              "Schedule: 5 cron fields, or `@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`."},
    LabelSpec{"verify-cron",
              cron,
              "the config's `defaults.verify_cron`",
              "Schedule of the restore drill (`backupctl verify`)."},
    LabelSpec{"on",
              triggers,
              "none",
              "Event triggers, comma-separated: `start` (new or recreated container), "
              "`image-change` (recreated with another image), `stop` (files after a clean stop)."},
    LabelSpec{"min-interval",
              duration,
              "`1h`",
              "Least time between two event-triggered runs (`30m`, `1h`, `1h30m`, `2d`)."},
    LabelSpec{"timeout",
              duration,
              "the config's `defaults.timeout` (`6h`)",
              "How long a run may take in all; past it the dump container is killed, nothing is "
              "committed and the run fails. At most the operator's `security.max_label_timeout`."},
    LabelSpec{"idle-timeout",
              duration,
              "the config's `defaults.idle_timeout` (`10m`)",
              "A dump that sends no byte for this long fails (also a restore client that takes "
              "none). At most `security.max_label_timeout`."},
    LabelSpec{"drill-timeout",
              duration,
              "the config's `defaults.drill_timeout` (`2h`)",
              "How long a restore drill may take. At most `security.max_label_timeout`."},
    LabelSpec{"retention",
              retention,
              "the config's `defaults.retention`",
              "Snapshots to keep, e.g. `last=3,daily=7,weekly=4,monthly=6` (keys: last, hourly, "
              "daily, weekly, monthly, yearly)."},
    LabelSpec{"anomaly",
              anomaly,
              "the config's `defaults.anomaly` (`bytes-drop=50%,rows-drop=50%,table-gone=on`)",
              "When a stored run is `suspect` against this target's history: `bytes-drop` and "
              "`rows-drop` (percent a dump or a table may shrink since the last normal run), "
              "`table-gone` (`on`/`off`), `unchanged` (a duration: a dump identical for that "
              "long), or `off`. See docs/anomalies.md."},
    LabelSpec{"repository",
              name,
              "`default`",
              "Name of a repository in the operator's config, one of "
              "`security.labels_may_use.repositories` (default: any)."},
    LabelSpec{"encrypt",
              name,
              "the config's `defaults.encrypt`",
              "Name of a gpg key in the operator's config, or `none` (refused when the config sets "
              "`security.require_encryption`)."},
    LabelSpec{"notify",
              name_list,
              "the config's `defaults.notify`",
              "Names of notifiers in the operator's config, comma-separated, each one of "
              "`security.labels_may_use.notifiers` (default: any)."},
    LabelSpec{"monitor",
              name,
              "the config's `defaults.monitor`",
              "Name of a monitor in the operator's config: only one that "
              "`security.labels_may_use.monitors` lists (default: none), or `defaults.monitor`."},
    LabelSpec{"hooks.pre",
              command,
              "none",
              "Command run inside the target before the dump (exec, no shell). Only when the "
              "operator's config sets `security.allow_label_hooks`."},
    LabelSpec{"hooks.post",
              command,
              "none",
              "Command run inside the target after the backup, also after a failure (exec, no "
              "shell). Only with `security.allow_label_hooks`."},
    LabelSpec{"hooks.timeout",
              duration,
              "`60s`",
              "How long each hook may run; then it fails (the run goes on to the post-hook). At "
              "most `security.max_label_timeout`."},
};

}  // namespace

std::span<const LabelSpec> label_schema() {
    return kSchema;
}

const LabelSpec* find_label(std::string_view key) {
    for (const auto& s : kSchema) {
        if (s.key == key) {
            return &s;
        }
    }
    return nullptr;
}

std::string_view type_name(ValueType t) {
    switch (t) {
        case boolean:
            return "true / false";
        case text:
            return "text";
        case name:
            return "name";
        case name_list:
            return "names";
        case db_type:
            return "db type";
        case db_names:
            return "names or *";
        case env_name:
            return "variable name";
        case image:
            return "image";
        case network:
            return "network";
        case volumes:
            return "volumes or paths, or *";
        case cron:
            return "cron";
        case triggers:
            return "triggers";
        case duration:
            return "duration";
        case retention:
            return "retention";
        case command:
            return "command";
        case anomaly:
            return "anomaly policy";
    }
    return "text";
}

std::string render_label_reference(const domain::DatabaseKinds& kinds) {
    std::string out =
        "# Label reference\n\n"
        "<!-- Generated from labels/src/schema.cpp by `backupctl docs labels`; a test fails when "
        "this file is stale. -->\n\n"
        "Apps opt in with labels on their containers, e.g. in a compose file:\n\n"
        "```yaml\n"
        "services:\n"
        "  db:\n"
        "    image: postgres:16\n"
        "    labels:\n"
        "      backupctl.enable: \"true\"\n"
        "      backupctl.cron: \"0 3 * * *\"\n"
        "      backupctl.retention: \"last=3,daily=7\"\n"
        "```\n\n"
        "Every label starts with `backupctl.`. A label never holds a secret, a repository URL, a "
        "host path or a shell command line: those live in the operator's config and labels refer "
        "to them by name. Unknown `backupctl.*` keys, near-miss prefixes (`backupctl-`, "
        "`backup-ctl.`, `backupctl_`, `backupclt.`) and values that look like secrets are "
        "reported with the container and the label, never ignored; the container's other "
        "labels and every other target keep working.\n\n"
        "| label | value | default | meaning |\n|---|---|---|---|\n";
    for (const auto& s : kSchema) {
        out += "| `backupctl." + std::string(s.key) + "` | " + std::string(type_name(s.type)) +
               " | " + std::string(s.default_text) + " | " + std::string(s.description) + " |\n";
    }
    out +=
        "\n## Database kinds\n\n`backupctl.db.type` takes one of these (the image name implies it "
        "when the label is absent):\n\n";
    for (const auto& k : kinds.all()) {
        out += "- `" + std::string(k->name()) + "`";
        for (auto alias : k->aliases())
            out += " (or `" + std::string(alias) + "`)";
        out += ": " + std::string(k->describe()) + "\n";
    }
    out +=
        "\nValues are at most 1024 characters of printable UTF-8: a control character "
        "(a line break, an escape), a text direction control or bytes that are not UTF-8 make "
        "the label an error (in `hooks.*`, line breaks and tabs separate words). Names are "
        "lower-case letters, digits, `.`, `_` and `-`, at most 63 characters, starting with a "
        "letter or digit. Booleans are `true`/`false` (also `yes`/`no`, `1`/`0`).\n\n"
        "A container that backupctl made (a dump, drill or restore client, a drill server: "
        "`backupctl.ephemeral`, `backupctl.instance`, `backupctl.for-target`, "
        "`backupctl.run`; a copy made by `restore --new-container`: "
        "`backupctl.restored-from`, with `backupctl.run` and `backupctl.restored-at`) is listed "
        "as ignored, never as a target or an error. A copy is yours: only "
        "`backupctl restore <target> --cleanup` removes it.\n";
    return out;
}

}  // namespace bk::labels
