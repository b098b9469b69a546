package io.framebus.manager.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The README's camera configuration table is the metatype, written for people: it must not drift from it. */
class ReadmeConfigTableTest {

    @Test
    void everyCameraAttributeIsInTheReadmeWithItsDefault() throws Exception {
        Map<String, String> readme = readmeTable();
        List<Method> attributes = Arrays.stream(CameraConfig.class.getDeclaredMethods())
                .filter(m -> !m.getName().startsWith("webconsole_")) // @AttributeDefinition is not kept at run time
                .collect(Collectors.toList());
        assertThat(readme.keySet()).containsExactlyInAnyOrderElementsOf(
                attributes.stream().map(Method::getName).collect(Collectors.toList()));
        for (Method m : attributes) {
            String documented = readme.get(m.getName());
            Object def = m.getDefaultValue();
            if (def == null) {
                assertThat(documented).as(m.getName()).isEqualTo("(required)");
            } else if (m.getName().equals("name")) {
                assertThat(documented).isEqualTo("the id");
            } else if (def instanceof String[] values) {
                assertThat(documented).as(m.getName()).isEqualTo(values.length == 0 ? "(none)"
                        : "`" + String.join(", ", values) + "`");
            } else if (def instanceof Number n) {
                assertThat(Double.parseDouble(documented.replace("`", ""))).as(m.getName()).isEqualTo(n.doubleValue());
            } else {
                assertThat(documented.replace("`", "")).as(m.getName()).isEqualTo(String.valueOf(def));
            }
        }
    }

    private static Map<String, String> readmeTable() throws Exception {
        Path readme = Paths.get(System.getProperty("user.dir")).resolve("../README.md").normalize();
        List<String> lines = Files.readAllLines(readme);
        int start = 0;
        while (!lines.get(start).contains("camera-config-table")) {
            start++;
        }
        Map<String, String> table = new LinkedHashMap<>();
        for (int i = start + 3; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            String[] cells = lines.get(i).split("\\|");
            table.put(cells[1].trim().replace("`", ""), cells[2].trim());
        }
        return table;
    }
}
