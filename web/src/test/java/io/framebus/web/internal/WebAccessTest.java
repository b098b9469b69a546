package io.framebus.web.internal;

import static io.framebus.web.internal.WebAccess.Verdict.ALLOW;
import static io.framebus.web.internal.WebAccess.Verdict.FOREIGN_HOST;
import static io.framebus.web.internal.WebAccess.Verdict.LOCAL_ONLY;
import static io.framebus.web.internal.WebAccess.Verdict.LOG_IN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WebAccessTest {
    private static final String[] DEFAULT_HOSTS = {"localhost", "127.0.0.1", "[::1]"};
    private final AtomicInteger checks = new AtomicInteger();
    private final WebAccess.Credentials aliceOnly = (user, password) -> {
        checks.incrementAndGet();
        return user.equals("alice") && new String(password).equals("s3cret:with colon");
    };

    private static String basic(String userAndPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void byDefaultClientsOnThisHostAreServedAndOthersRefusedWhileNobodyCanLogIn() {
        WebAccess access = new WebAccess(DEFAULT_HOSTS, "remote", null);
        assertThat(access.decide("127.0.0.1:8080", "127.0.0.1", null)).isEqualTo(ALLOW);
        assertThat(access.decide("localhost:8080", "127.0.0.5", null)).isEqualTo(ALLOW);
        assertThat(access.decide("[::1]:8080", "0:0:0:0:0:0:0:1", null)).isEqualTo(ALLOW);
        assertThat(access.decide(null, "127.0.0.1", null)).as("HTTP/1.0 without Host").isEqualTo(ALLOW);
        assertThat(access.decide("localhost", "192.0.2.7", null)).isEqualTo(LOCAL_ONLY);
        assertThat(access.decide("localhost", "::ffff:192.0.2.7", null)).isEqualTo(LOCAL_ONLY);
        assertThat(access.decide("localhost", "192.0.2.7", basic("alice:s3cret:with colon"))).isEqualTo(LOCAL_ONLY);
    }

    @Test
    void aHostNameNotOnTheListIsRefusedEvenFromThisHost() {
        // DNS rebinding: a page of evil.example whose name now resolves to 127.0.0.1
        WebAccess access = new WebAccess(DEFAULT_HOSTS, "remote", null);
        assertThat(access.decide("evil.example:8080", "127.0.0.1", null)).isEqualTo(FOREIGN_HOST);
        assertThat(access.decide("127.0.0.1.evil.example", "127.0.0.1", null)).isEqualTo(FOREIGN_HOST);
        assertThat(access.decide("LOCALHOST.:8080", "127.0.0.1", null)).isEqualTo(ALLOW);

        WebAccess configured = new WebAccess(new String[] {"Camera-Box", "192.0.2.10", "2001:db8::1"}, "never", null);
        assertThat(configured.decide("camera-box:8080", "192.0.2.99", null)).isEqualTo(ALLOW);
        assertThat(configured.decide("192.0.2.10", "192.0.2.99", null)).isEqualTo(ALLOW);
        assertThat(configured.decide("[2001:db8::1]:80", "192.0.2.99", null)).isEqualTo(ALLOW);
        assertThat(configured.decide("localhost", "127.0.0.1", null)).isEqualTo(FOREIGN_HOST);
        WebAccess fromCfgFile = new WebAccess(new String[] {"camera-box, 192.0.2.10"}, "never", null);
        assertThat(fromCfgFile.decide("192.0.2.10:8080", "192.0.2.99", null)).isEqualTo(ALLOW);
        assertThat(fromCfgFile.decide("camera-box", "192.0.2.99", null)).isEqualTo(ALLOW);
        assertThat(new WebAccess(new String[] {"*"}, "remote", null).decide("any.example", "127.0.0.1", null))
                .isEqualTo(ALLOW);
    }

    @Test
    void clientsOnOtherHostsLogInWithBasicCredentials() {
        WebAccess access = new WebAccess(DEFAULT_HOSTS, "remote", aliceOnly);
        assertThat(access.decide("localhost", "127.0.0.1", null)).isEqualTo(ALLOW);
        assertThat(access.decide("localhost", "192.0.2.7", null)).isEqualTo(LOG_IN);
        assertThat(access.decide("localhost", "192.0.2.7", basic("alice:wrong"))).isEqualTo(LOG_IN);
        assertThat(access.decide("localhost", "192.0.2.7", basic("mallory:s3cret:with colon"))).isEqualTo(LOG_IN);
        assertThat(access.decide("localhost", "192.0.2.7", "Basic %%%not-base64")).isEqualTo(LOG_IN);
        assertThat(access.decide("localhost", "192.0.2.7", "Bearer abc")).isEqualTo(LOG_IN);
        assertThat(access.decide("localhost", "192.0.2.7", basic("alice:s3cret:with colon"))).isEqualTo(ALLOW);
    }

    @Test
    void alwaysMeansClientsOnThisHostLogInToo_andAGoodLoginIsCheckedOnceForAWhile() {
        WebAccess access = new WebAccess(DEFAULT_HOSTS, "always", aliceOnly);
        assertThat(access.decide("127.0.0.1", "127.0.0.1", null)).isEqualTo(LOG_IN);
        checks.set(0);
        for (int i = 0; i < 5; i++) {
            assertThat(access.decide("127.0.0.1", "127.0.0.1", basic("alice:s3cret:with colon"))).isEqualTo(ALLOW);
        }
        assertThat(checks).hasValue(1);
        for (int i = 0; i < 3; i++) {
            assertThat(access.decide("127.0.0.1", "127.0.0.1", basic("alice:nope"))).isEqualTo(LOG_IN);
        }
        assertThat(checks).as("failures are never remembered as good").hasValue(4);
    }

    @Test
    void badSettingsAreRefusedWithTheirName() {
        assertThatThrownBy(() -> new WebAccess(DEFAULT_HOSTS, "sometimes", aliceOnly))
                .hasMessageContaining("authenticate must be remote, always or never");
        assertThatThrownBy(() -> new WebAccess(DEFAULT_HOSTS, "always", null))
                .hasMessageContaining("authenticate = always needs a user");
    }

    @Test
    void onlyLoopbackAddressesAreLocal() {
        assertThat(WebAccess.isLoopback("127.0.0.1")).isTrue();
        assertThat(WebAccess.isLoopback("127.12.0.3")).isTrue();
        assertThat(WebAccess.isLoopback("0:0:0:0:0:0:0:1")).isTrue();
        assertThat(WebAccess.isLoopback("10.0.0.1")).isFalse();
        assertThat(WebAccess.isLoopback("localhost")).as("a name, never resolved").isFalse();
        assertThat(WebAccess.isLoopback("")).isFalse();
        assertThat(WebAccess.isLoopback(null)).isFalse();
    }
}
