package io.github.partitionmaven.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Non-superuser roles in one test database, as a production database has them:
 * <ul>
 * <li>{@link #owner()}: LOGIN, owns schema {@value #SCHEMA} and, in it, the plain table {@code items} and the
 * range-partitioned table {@code events} (partition {@code events_2026_01});</li>
 * <li>{@link #noCreate()}: LOGIN, USAGE on the schema and SELECT/INSERT/UPDATE/DELETE on its tables, but no
 * CREATE on it (nor on public);</li>
 * <li>{@link #limited()}: LOGIN, SELECT only, and {@code ALTER ROLE ... SET} {@value #STATEMENT_TIMEOUT}
 * statement_timeout, {@value #IDLE_TIMEOUT} idle_in_transaction_session_timeout and
 * default_transaction_read_only on, which every session of the role starts with.</li>
 * </ul>
 * Roles are cluster-wide, so their names carry a unique prefix; passwords are scram secrets (the embedded
 * server trusts these roles, a PgBouncer or another server may check them). {@link #drop} removes them.
 */
public final class Roles {

    public static final String SCHEMA = "app";
    public static final String STATEMENT_TIMEOUT = "2s";
    public static final String IDLE_TIMEOUT = "10s";

    private static final AtomicInteger COUNTER = new AtomicInteger();

    /** JDBC credentials of one role. */
    public record Login(String user, String password, String url) {

        public Connection connect() throws SQLException {
            Properties p = new Properties();
            p.setProperty("user", user);
            p.setProperty("password", password);
            return DriverManager.getConnection(url, p);
        }
    }

    private final Login owner;
    private final Login noCreate;
    private final Login limited;

    private Roles(Login owner, Login noCreate, Login limited) {
        this.owner = owner;
        this.noCreate = noCreate;
        this.limited = limited;
    }

    /** Creates the roles, schema and tables in a test database. */
    public static Roles create(TestDb db) throws SQLException {
        try (Connection c = db.connect()) {
            return create(c, db.url(), "r" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet());
        }
    }

    /**
     * Creates the roles (named {@code <prefix>_owner}, {@code <prefix>_nocreate}, {@code <prefix>_limited}),
     * schema and tables through a superuser connection to the database at {@code url}.
     */
    public static Roles create(Connection superuser, String url, String prefix) throws SQLException {
        Login owner = new Login(prefix + "_owner", "pw-" + prefix + "-owner", url);
        Login noCreate = new Login(prefix + "_nocreate", "pw-" + prefix + "-nocreate", url);
        Login limited = new Login(prefix + "_limited", "pw-" + prefix + "-limited", url);
        String db;
        try (Statement s = superuser.createStatement(); var rs = s.executeQuery("SELECT current_database()")) {
            rs.next();
            db = rs.getString(1);
        }
        boolean auto = superuser.getAutoCommit();
        superuser.setAutoCommit(false);
        try (Statement s = superuser.createStatement()) {
            s.execute("SET LOCAL password_encryption = 'scram-sha-256'");
            for (Login l : List.of(owner, noCreate, limited)) {
                s.execute("CREATE ROLE " + l.user() + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD '" + l.password() + "'");
                s.execute("GRANT CONNECT, TEMPORARY ON DATABASE " + quote(db) + " TO " + l.user());
            }
            // before PostgreSQL 15 everyone may create in public; take that away so "no CREATE" holds in both schemas
            s.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
            s.execute("CREATE SCHEMA " + SCHEMA + " AUTHORIZATION " + owner.user());
            s.execute("SET LOCAL ROLE " + owner.user());
            s.execute("CREATE TABLE " + SCHEMA + ".items (id bigint PRIMARY KEY, name text NOT NULL)");
            s.execute("CREATE TABLE " + SCHEMA + ".events (id bigint NOT NULL, created_at timestamptz NOT NULL, payload text)"
                    + " PARTITION BY RANGE (created_at)");
            s.execute("CREATE TABLE " + SCHEMA + ".events_2026_01 PARTITION OF " + SCHEMA
                    + ".events FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2026-02-01 00:00:00+00')");
            s.execute("GRANT USAGE ON SCHEMA " + SCHEMA + " TO " + noCreate.user() + ", " + limited.user());
            s.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + SCHEMA + " TO " + noCreate.user());
            s.execute("GRANT SELECT ON ALL TABLES IN SCHEMA " + SCHEMA + " TO " + limited.user());
            s.execute("RESET ROLE");
            s.execute("ALTER ROLE " + limited.user() + " SET statement_timeout = '" + STATEMENT_TIMEOUT + "'");
            s.execute("ALTER ROLE " + limited.user() + " SET idle_in_transaction_session_timeout = '" + IDLE_TIMEOUT + "'");
            s.execute("ALTER ROLE " + limited.user() + " SET default_transaction_read_only = on");
            superuser.commit();
        } catch (SQLException e) {
            superuser.rollback();
            throw e;
        } finally {
            superuser.setAutoCommit(auto);
        }
        return new Roles(owner, noCreate, limited);
    }

    public Login owner() {
        return owner;
    }

    public Login noCreate() {
        return noCreate;
    }

    public Login limited() {
        return limited;
    }

    public List<Login> all() {
        return List.of(owner, noCreate, limited);
    }

    /** Drops what the roles own in this database and the roles (call for each database they own things in). */
    public void drop(Connection superuser) throws SQLException {
        try (Statement s = superuser.createStatement()) {
            for (Login l : all()) {
                s.execute("DROP OWNED BY " + l.user() + " CASCADE");
            }
            for (Login l : all()) {
                s.execute("DROP ROLE IF EXISTS " + l.user());
            }
        }
    }

    private static String quote(String ident) {
        return '"' + ident.replace("\"", "\"\"") + '"';
    }
}
