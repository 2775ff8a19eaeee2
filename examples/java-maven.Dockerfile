# Spring Boot jar packaged by Maven in a stage on the target platform; the jar is arch-neutral.
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /build

COPY pom.xml .
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q dependency:go-offline

COPY src ./src
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B package -DskipTests && \
    cp target/orders-*.jar /build/app.jar

FROM eclipse-temurin:21-jre
WORKDIR /opt/orders
COPY --from=build /build/app.jar ./app.jar
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75"
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/opt/orders/app.jar"]
