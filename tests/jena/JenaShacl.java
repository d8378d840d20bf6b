// A test driver for tests/test_third_engine.py: Apache Jena SHACL (Debian's libapache-jena-java)
// validating many data graphs against one shapes graph in a single JVM, so the suite pays the
// JVM start once. Usage: java JenaShacl SHAPES CASES OUTDIR
//   CASES: one case a line, "NAME<TAB>FILE<TAB>FILE...", the files read into one data graph;
//   for each case the SHACL report graph goes to OUTDIR/NAME.nt, and a line of JSON to stdout:
//   {"case": NAME, "triples": N, "results": N, "conforms": B, "readMs": N, "validateMs": N,
//    "readCpuMs": N, "validateCpuMs": N}   (wall-clock and CPU time of the reading thread)
// A case that cannot be read or validated prints {"case": NAME, "error": "..."} instead.

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.jena.graph.Graph;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.shacl.ShaclValidator;
import org.apache.jena.shacl.Shapes;
import org.apache.jena.shacl.ValidationReport;
import org.apache.jena.sparql.graph.GraphFactory;

public class JenaShacl {
    public static void main(String[] args) throws Exception {
        Graph shapesGraph = RDFDataMgr.loadGraph(args[0]);
        Shapes shapes = Shapes.parse(shapesGraph);
        List<String> cases = Files.readAllLines(Path.of(args[1]));
        Path outdir = Path.of(args[2]);
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        for (String line : cases) {
            if (line.isBlank()) continue;
            String[] fields = line.split("\t");
            String name = fields[0];
            try {
                long c0 = cpu.getCurrentThreadCpuTime(), t0 = System.nanoTime();
                Graph data = GraphFactory.createGraphMem();
                for (int i = 1; i < fields.length; i++) RDFDataMgr.read(data, fields[i]);
                long c1 = cpu.getCurrentThreadCpuTime(), t1 = System.nanoTime();
                ValidationReport report = ShaclValidator.get().validate(shapes, data);
                long c2 = cpu.getCurrentThreadCpuTime(), t2 = System.nanoTime();
                try (OutputStream out = Files.newOutputStream(outdir.resolve(name + ".nt"))) {
                    RDFDataMgr.write(out, report.getGraph(), Lang.NTRIPLES);
                }
                System.out.printf(
                    "{\"case\": \"%s\", \"triples\": %d, \"results\": %d, \"conforms\": %b, "
                        + "\"readMs\": %d, \"validateMs\": %d, \"readCpuMs\": %d, "
                        + "\"validateCpuMs\": %d}%n",
                    name, data.size(), report.getEntries().size(), report.conforms(),
                    (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000,
                    (c1 - c0) / 1_000_000, (c2 - c1) / 1_000_000);
            } catch (Exception e) {
                String text = String.valueOf(e).replace("\\", "\\\\").replace("\"", "\\\"")
                    .replace("\n", " ");
                System.out.printf("{\"case\": \"%s\", \"error\": \"%s\"}%n", name, text);
            }
            System.out.flush();
        }
    }
}
