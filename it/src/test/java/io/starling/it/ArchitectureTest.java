package io.starling.it;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The layering of the main code of every module, checked on the compiled classes: the core
 * modules depend downward only (codec &lt;- broker &lt;- store-rocksdb, codec &lt;- client, all
 * &lt;- cli), with no cycle between any two packages.
 */
@AnalyzeClasses(packages = "io.starling", importOptions = {ImportOption.DoNotIncludeTests.class, ArchitectureTest.NoTestJars.class})
class ArchitectureTest {
    /** Leaves out test jars (the broker's, which the CLI and this module's tests use): main code only. */
    static final class NoTestJars implements ImportOption {
        @Override
        public boolean includes(Location location) {
            return !location.contains("-tests.jar");
        }
    }

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("io.starling.(**)")
            .should().beFreeOfCycles();

    @ArchTest
    static final ArchRule codecDependsOnNothingOfOurs = classes().that().resideInAPackage("io.starling.codec..")
            .should().onlyDependOnClassesThat(resideInAPackage("io.starling.codec..").or(not(resideInAPackage("io.starling.."))));

    @ArchTest
    static final ArchRule clientDoesNotDependOnTheBroker = noClasses().that().resideInAPackage("io.starling.client..")
            .should().dependOnClassesThat().resideInAnyPackage("io.starling.broker..", "io.starling.store..", "io.starling.cli..");

    @ArchTest
    static final ArchRule brokerDoesNotDependOnCliOrRocksDb = noClasses().that().resideInAPackage("io.starling.broker..")
            .should().dependOnClassesThat()
            .resideInAnyPackage("io.starling.cli..", "io.starling.client..", "io.starling.store..", "io.starling.http..",
                    "io.starling.cluster..", "org.jgroups..", "org.rocksdb..", "io.micrometer..", "com.fasterxml.jackson..");

    @ArchTest
    static final ArchRule messageModelIsALeaf = classes().that().resideInAPackage("io.starling.broker.model..")
            .should().onlyDependOnClassesThat(resideInAnyPackage("io.starling.broker.model..", "io.starling.codec..")
                    .or(not(resideInAPackage("io.starling.."))));

    @ArchTest
    static final ArchRule spiUsesOnlyTheModelAndConfiguration = classes().that().resideInAPackage("io.starling.broker.spi..")
            .should().onlyDependOnClassesThat(resideInAnyPackage("io.starling.broker.spi..", "io.starling.broker.model..",
                    "io.starling.broker.config..", "io.starling.codec..").or(not(resideInAPackage("io.starling.."))));

    @ArchTest
    static final ArchRule httpServesTheBrokerFromOutside = noClasses().that().resideInAPackage("io.starling.http..")
            .should().dependOnClassesThat().resideInAnyPackage("io.starling.cli..", "io.starling.client..", "io.starling.store..");

    @ArchTest
    static final ArchRule internalsStayInTheBroker = noClasses().that().resideOutsideOfPackage("io.starling.broker..")
            .should().dependOnClassesThat().resideInAPackage("io.starling.broker.internal..");
}
