package io.framebus.web.internal;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Password hashes of the web's user: PBKDF2 with HMAC-SHA256 from the JDK, stored as
 * {@code pbkdf2-sha256:<iterations>:<salt>:<hash>} (Base64). Also a command that makes one:
 * {@code java -cp io.framebus.web-<version>.jar io.framebus.web.internal.PasswordHash}, which reads the password
 * from the terminal (not echoed) or from stdin, never from its arguments (they show in ps and the shell's history).
 */
public final class PasswordHash {
    static final String SCHEME = "pbkdf2-sha256";
    /** OWASP's 2023 figure for PBKDF2-HMAC-SHA256: about 0.3 s on a current core, paid once per request. */
    static final int ITERATIONS = 600_000;
    private static final int MIN_ITERATIONS = 10_000;
    private static final int HASH_BITS = 256;

    private final int iterations;
    private final byte[] salt;
    private final byte[] hash;

    private PasswordHash(int iterations, byte[] salt, byte[] hash) {
        this.iterations = iterations;
        this.salt = salt;
        this.hash = hash;
    }

    /** Reads a stored hash; throws naming what is wrong (never echoing the value, which might be a password). */
    static PasswordHash parse(String stored) {
        String[] parts = stored.trim().split(":");
        if (parts.length != 4 || !parts[0].equals(SCHEME)) {
            throw new IllegalArgumentException("passwordHash must be " + SCHEME
                    + ":<iterations>:<salt>:<hash>, as made by io.framebus.web.internal.PasswordHash");
        }
        try {
            int iterations = Integer.parseInt(parts[1]);
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] hash = Base64.getDecoder().decode(parts[3]);
            if (iterations < MIN_ITERATIONS || salt.length < 16 || hash.length != HASH_BITS / 8) {
                throw new IllegalArgumentException("passwordHash needs >= " + MIN_ITERATIONS
                        + " iterations, a salt of >= 16 bytes and a 32-byte hash");
            }
            return new PasswordHash(iterations, salt, hash);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("passwordHash: the iteration count is not a number");
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("passwordHash")) {
                throw e;
            }
            throw new IllegalArgumentException("passwordHash: salt or hash is not Base64");
        }
    }

    static String create(char[] password, int iterations) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return SCHEME + ":" + iterations + ":" + Base64.getEncoder().encodeToString(salt) + ":"
                + Base64.getEncoder().encodeToString(derive(password, salt, iterations));
    }

    /** Constant-time comparison of the derived key. */
    boolean matches(char[] password) {
        return MessageDigest.isEqual(hash, derive(password, salt, iterations));
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every Java 17", e);
        } finally {
            spec.clearPassword();
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 0) {
            System.err.println("usage: java -cp io.framebus.web-<version>.jar " + PasswordHash.class.getName()
                    + "   (the password is read from the terminal or stdin, never from arguments)");
            System.exit(2);
        }
        char[] password;
        Console console = System.console();
        if (console != null) {
            password = console.readPassword("password: ");
            char[] again = console.readPassword("again: ");
            if (password == null || !Arrays.equals(password, again)) {
                System.err.println("the passwords differ");
                System.exit(1);
            }
        } else {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            password = line == null ? new char[0] : line.toCharArray();
        }
        if (password.length == 0) {
            System.err.println("empty password");
            System.exit(1);
        }
        System.out.println(create(password, ITERATIONS));
    }
}
