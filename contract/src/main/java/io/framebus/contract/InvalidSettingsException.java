package io.framebus.contract;

import java.util.List;

/** The settings document cannot be used; every problem names the key it is about. */
public final class InvalidSettingsException extends Exception {
    private static final long serialVersionUID = 1L;

    /** One invalid key and what is wrong with it, in words a user can act on. */
    public record Problem(String key, String message) {
        @Override
        public String toString() {
            return key + ": " + message;
        }
    }

    private final transient List<Problem> problems;

    public InvalidSettingsException(List<Problem> problems) {
        super(problems.isEmpty() ? "invalid settings" : problems.get(0).toString()
                + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""));
        this.problems = List.copyOf(problems);
    }

    public InvalidSettingsException(String key, String message) {
        this(List.of(new Problem(key, message)));
    }

    public List<Problem> problems() {
        return problems;
    }
}
