package io.github.partitionmaven.plan;

import io.github.partitionmaven.core.Sql;
import io.github.partitionmaven.core.TableName;

/**
 * A privilege a step needs from the role that runs it, so the pre-flight can list everything missing, with the
 * statement that grants it, before the first step runs rather than fail at one of them.
 *
 * @param relation the relation (OWNER, REFERENCES) or, for CREATE, a relation in the schema that needs CREATE
 */
public record Requirement(Kind kind, TableName relation) {

    public enum Kind {
        /** CREATE on the relation's schema: the step creates a relation there. */
        CREATE,
        /** Ownership of the relation, directly or through membership in the owning role: ALTER, ATTACH, DETACH, DROP, indexes, triggers. */
        OWNER,
        /** REFERENCES on the relation: a foreign key to it is added. */
        REFERENCES
    }

    public static Requirement create(TableName inSchema) {
        return new Requirement(Kind.CREATE, inSchema);
    }

    public static Requirement owner(TableName relation) {
        return new Requirement(Kind.OWNER, relation);
    }

    public static Requirement references(TableName relation) {
        return new Requirement(Kind.REFERENCES, relation);
    }

    /** What the step needs, in words, e.g. {@code CREATE on schema "app"}. */
    public String describe() {
        return switch (kind) {
            case CREATE -> "CREATE on schema " + (relation.schema() == null ? "(the current schema)" : Sql.ident(relation.schema()));
            case OWNER -> "ownership of " + relation.sql();
            case REFERENCES -> "REFERENCES on " + relation.sql();
        };
    }
}
