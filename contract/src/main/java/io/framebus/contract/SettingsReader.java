package io.framebus.contract;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * Reads the settings document from the capture process's stdin: {@link java.util.Properties} text in UTF-8,
 * ended by the first empty line.
 *
 * <p>Reading stops right after that empty line, so the stream stays usable: the process keeps stdin open for its
 * whole life and takes end-of-file as the sign that its parent is gone. The document is limited to
 * {@value #MAX_BYTES} bytes, so garbage on stdin cannot make the process buffer without end.
 */
public final class SettingsReader {
    public static final int MAX_BYTES = 64 * 1024;

    private SettingsReader() {
    }

    /**
     * Reads up to and including the first empty line (an empty line, or one holding only a carriage return).
     *
     * @throws InvalidSettingsException when stdin ends before the empty line or the document is too large
     */
    public static Properties read(InputStream in) throws IOException, InvalidSettingsException {
        ByteArrayOutputStream doc = new ByteArrayOutputStream(1024);
        int lineLength = 0; // bytes of the current line, not counting a carriage return
        boolean sawAnyLine = false;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new InvalidSettingsException("settings", sawAnyLine || doc.size() > 0
                        ? "stdin ended before the empty line that ends the settings document"
                        : "stdin ended before any settings were sent (expected key=value lines and an empty line)");
            }
            if (b == '\n') {
                if (lineLength == 0) {
                    break;
                }
                sawAnyLine = true;
                lineLength = 0;
            } else if (b != '\r') {
                lineLength++;
            }
            if (doc.size() >= MAX_BYTES) {
                throw new InvalidSettingsException("settings", "settings document larger than " + MAX_BYTES
                        + " bytes without an empty line");
            }
            doc.write(b);
        }
        Properties p = new Properties();
        try {
            p.load(new StringReader(doc.toString(StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException e) {
            // Properties.load rejects a malformed \\uXXXX escape this way
            throw new InvalidSettingsException("settings", "not a properties document: " + e.getMessage());
        }
        return p;
    }
}
