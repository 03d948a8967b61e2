package io.github.partitionmaven.convert;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.core.Sql;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.plan.Lock;
import io.github.partitionmaven.plan.LockMode;
import java.util.ArrayList;
import java.util.List;

/**
 * The views that read a table, and other tables' policies and BEGIN ATOMIC functions that do ({@link ConvertFacts#rebound}),
 * which PostgreSQL binds to it by OID: at a swap they would follow it to its old name and go on reading the old table while
 * the application writes the new one. So each swap (convert's, and a rollback's) defines them again in its own transaction,
 * with the definition they have then: {@link #capture} before the renames, while {@code pg_get_viewdef}, {@code pg_get_expr}
 * and {@code pg_get_functiondef} still print the table's name (qualified, under the plugin's search_path of pg_catalog), and
 * {@link #redefine} after them, when that name is the new table's. CREATE OR REPLACE VIEW keeps the view's OID, owner, grants,
 * comment and the views built on it; it would reset the view's options, so they are given again. Materialized views (whose
 * rows would have to be computed again) and other tables' rules are refused instead, with their fix.
 */
final class DependentViews {

    private DependentViews() {
    }

    /** The views {@link #redefine} follows the table with. */
    static List<ConvertFacts.View> followed(ConvertFacts facts) {
        return facts.dependentViews().stream().filter(ConvertFacts.View::plain).toList();
    }

    /**
     * Refuses, before any change, what reads {@code t} and cannot follow it: materialized views, other tables' rules, views the
     * plugin's role may not replace, and views whose columns {@code <widenKeys>} would change the type of.
     *
     * @param action  "convert" or "roll back", for the fix
     * @param retyped the column types the goal changes, as the message names them (CREATE OR REPLACE VIEW cannot change a view
     *                column's); empty when it changes none
     */
    static void refuseUnfollowed(TableName t, ConvertFacts facts, String action, List<String> retyped) {
        List<ConvertFacts.View> other = facts.dependentViews().stream().filter(v -> !v.plain()).toList();
        if (!other.isEmpty()) {
            throw PartitionException.databaseState("Materialized views (or other tables' rules) name " + t + ": " + join(other) + ". They"
                    + " cannot follow it to the new table as views do (a materialized view's rows would have to be computed again), and"
                    + " would keep reading the old one. Save their definitions (SELECT pg_catalog.pg_get_viewdef('<view>'::regclass); for a"
                    + " rule of another table, pg_get_ruledef), drop them, " + action + ", then create them again.");
        }
        List<ConvertFacts.View> foreign = followed(facts).stream().filter(v -> !v.replaceable()).toList();
        if (!foreign.isEmpty()) {
            throw PartitionException.databaseState("Views read " + t + " that the plugin's role may not replace: " + join(foreign) + ". The"
                    + " swap defines each again (CREATE OR REPLACE VIEW, same definition) so that it reads the table the application uses,"
                    + " which only their owner may do. Connect as their owner, or make it a member of the plugin's role (GRANT <role> TO"
                    + " <owner>) or the plugin's role a member of it (GRANT <owner> TO <role>), then " + action + ".");
        }
        if (!retyped.isEmpty() && !followed(facts).isEmpty()) {
            throw PartitionException.databaseState("Views read " + t + ": " + join(followed(facts)) + ", and the " + (action.equals("convert") ? "conversion" : "rollback")
                    + " would change the type of columns they may show (" + String.join(", ", retyped) + "), which CREATE OR REPLACE VIEW"
                    + " cannot. " + (action.equals("convert") ? "Convert without <widenKeys>, or save" : "Save") + " their definitions"
                    + " (SELECT pg_catalog.pg_get_viewdef('<view>'::regclass)), drop them, " + action + ", then create them again.");
        }
    }

    /**
     * Before the swap's renames: each view's definition, and each other table's policy expressions and BEGIN ATOMIC function
     * definition reading the table ({@link ConvertFacts#rebound}), kept for the transaction in a setting of its own.
     */
    static List<String> capture(ConvertFacts facts) {
        List<String> sql = new ArrayList<>();
        List<ConvertFacts.View> views = followed(facts);
        for (int i = 0; i < views.size(); i++) {
            sql.add("SELECT pg_catalog.set_config(" + Sql.literal(setting("view", i)) + ", pg_catalog.regexp_replace(pg_catalog.pg_get_viewdef("
                    + Sql.literal(views.get(i).relation().sql()) + "::pg_catalog.regclass), ';\\s*$', ''), true)");
        }
        List<ConvertFacts.Rebound> rebound = facts.rebound();
        for (int i = 0; i < rebound.size(); i++) {
            ConvertFacts.Rebound r = rebound.get(i);
            if (r.policy().isPresent()) {
                sql.add("SELECT pg_catalog.set_config(" + Sql.literal(setting("using", i)) + ", COALESCE(pg_catalog.pg_get_expr(p.polqual,"
                        + " p.polrelid), ''), true), pg_catalog.set_config(" + Sql.literal(setting("check", i)) + ", COALESCE("
                        + "pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), ''), true) FROM pg_catalog.pg_policy p WHERE p.polrelid = "
                        + Sql.literal(r.on()) + "::pg_catalog.regclass AND p.polname = " + Sql.literal(r.policy().get()));
            } else {
                sql.add("SELECT pg_catalog.set_config(" + Sql.literal(setting("function", i)) + ", pg_catalog.pg_get_functiondef("
                        + Sql.literal(r.on()) + "::pg_catalog.regprocedure), true)");
            }
        }
        return sql;
    }

    /** After them: each defined again as captured, now reading the table that carries the name. */
    static List<String> redefine(ConvertFacts facts) {
        List<String> sql = new ArrayList<>();
        List<ConvertFacts.View> views = followed(facts);
        for (int i = 0; i < views.size(); i++) {
            ConvertFacts.View v = views.get(i);
            String options = v.options().isEmpty() ? "" : " WITH (" + String.join(", ", v.options()) + ")";
            sql.add(execute(Sql.literal("CREATE OR REPLACE VIEW " + v.relation().sql() + options + " AS ") + " || " + current(setting("view", i))));
        }
        List<ConvertFacts.Rebound> rebound = facts.rebound();
        for (int i = 0; i < rebound.size(); i++) {
            ConvertFacts.Rebound r = rebound.get(i);
            if (r.policy().isPresent()) {
                sql.add(execute(Sql.literal("ALTER POLICY " + Sql.ident(r.policy().get()) + " ON " + r.on())
                        + (r.using() ? " || ' USING (' || " + current(setting("using", i)) + " || ')'" : "")
                        + (r.check() ? " || ' WITH CHECK (' || " + current(setting("check", i)) + " || ')'" : "")));
            } else {
                sql.add(execute(current(setting("function", i))));
            }
        }
        return sql;
    }

    /**
     * A rollback's exchange of names: the partitioned {@code t} is dropped and {@code old} takes its name. With views (or
     * {@link ConvertFacts#rebound}), {@code t} first steps aside as {@code aside} (they cannot stay on a table being dropped),
     * {@code old} takes the name, they are defined again on it, and only then is the partitioned table dropped.
     */
    static List<String> swapBack(TableName t, TableName old, TableName aside, ConvertFacts facts) {
        if (followed(facts).isEmpty() && facts.rebound().isEmpty()) {
            return List.of("DROP TABLE " + t.sql(), "ALTER TABLE " + old.sql() + " RENAME TO " + Sql.ident(t.name()));
        }
        List<String> sql = new ArrayList<>(capture(facts));
        sql.add("ALTER TABLE " + t.sql() + " RENAME TO " + Sql.ident(aside.name()));
        sql.add("ALTER TABLE " + old.sql() + " RENAME TO " + Sql.ident(t.name()));
        sql.addAll(redefine(facts));
        sql.add("DROP TABLE " + aside.sql());
        return sql;
    }

    /** A conversion's swap: ACCESS EXCLUSIVE on the table and the new one, and what {@link #locks} adds. */
    static List<Lock> swapLocks(TableName t, TableName shadow, ConvertFacts facts) {
        List<Lock> locks = new ArrayList<>(List.of(new Lock(t, LockMode.ACCESS_EXCLUSIVE), new Lock(shadow, LockMode.ACCESS_EXCLUSIVE)));
        locks.addAll(locks(facts));
        return locks;
    }

    /**
     * CREATE OR REPLACE VIEW takes ACCESS EXCLUSIVE on each view, ALTER POLICY on the policy's table, within the swap's
     * window on the table (a function is replaced under a lock on it alone).
     */
    static List<Lock> locks(ConvertFacts facts) {
        List<Lock> locks = new ArrayList<>(followed(facts).stream().map(v -> new Lock(v.relation(), LockMode.ACCESS_EXCLUSIVE)).toList());
        facts.rebound().stream().filter(r -> r.policy().isPresent()).map(r -> TableName.parse(r.on())).distinct()
                .forEach(table -> locks.add(new Lock(table, LockMode.ACCESS_EXCLUSIVE)));
        return locks;
    }

    /** For the plan's reason: what the swap does to them; empty without any. */
    static String reason(ConvertFacts facts) {
        List<String> names = new ArrayList<>(followed(facts).stream().map(v -> "view " + v.relation()).toList());
        facts.rebound().forEach(r -> names.add(r.toString()));
        return names.isEmpty() ? "" : "; " + String.join(", ", names) + " read it and are defined again with the definition they"
                + " have then (CREATE OR REPLACE VIEW and FUNCTION, ALTER POLICY: their owner, grants, comments, options and what is"
                + " built on them stay) so that they read the table that then carries the name, not the one renamed away";
    }

    private static String execute(String expression) {
        return "DO " + Sql.dollarQuoted(" BEGIN EXECUTE " + expression + "; END ");
    }

    private static String current(String setting) {
        return "pg_catalog.current_setting(" + Sql.literal(setting) + ")";
    }

    private static String setting(String what, int i) {
        return "partition_maven." + what + "_" + i;
    }


    private static String join(List<ConvertFacts.View> views) {
        return String.join(", ", views.stream().map(ConvertFacts.View::toString).toList());
    }
}
