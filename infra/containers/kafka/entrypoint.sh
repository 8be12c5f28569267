#!/bin/bash
# Kafka container entry point: fills infra/kafka/server.properties (the template the local infra uses, so
# both run with the same settings) for a container, formats the KRaft data dir on first start, then runs
# the single combined broker + controller in the foreground.
#
# Two client listeners, because clients reach the broker by two routes and each must be told an address
# it can connect to (the broker hands out its advertised address in metadata):
#   PLAINTEXT :9092  other containers on the compose network  -> KAFKA_INTERNAL_ADVERTISED (kafka:9092)
#   EXTERNAL  :9094  the host, through a port published on 127.0.0.1
#                                                             -> KAFKA_EXTERNAL_ADVERTISED (127.0.0.1:9094)
# Publish 9094 on the same host port that KAFKA_EXTERNAL_ADVERTISED names (testcontainers picks a free
# host port before start and sets both).
set -Eeuo pipefail

KAFKA_HOME=/opt/kafka
DATA_DIR=${KAFKA_DATA_DIR:-/var/lib/kafka/data}
INTERNAL=${KAFKA_INTERNAL_ADVERTISED:-kafka:9092}
EXTERNAL=${KAFKA_EXTERNAL_ADVERTISED:-127.0.0.1:9094}
# Fixed, like the local infra, so a restarted container recognises its own data dir.
CLUSTER_ID=${KAFKA_CLUSTER_ID:-5L6g3nShT-eMCtK--X86sw}
# Small heap, serial GC, C1 only: the local infra's broker options, for a 2-core machine.
JVM_OPTS=${KAFKA_JVM_OPTS:--Xms256m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true}
TOOL_OPTS="-Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
LOG4J="-Dlog4j2.configurationFile=$KAFKA_HOME/config/log4j2.properties"

mkdir -p "$DATA_DIR"
props=$(dirname "$DATA_DIR")/server.properties
sed -e "s|@LOG_DIR@|$DATA_DIR|g" -e 's|@CONTROLLER_PORT@|9093|g' -e 's|@PORT@|9092|g' \
  -e 's|^listeners=.*|listeners=PLAINTEXT://0.0.0.0:9092,EXTERNAL://0.0.0.0:9094,CONTROLLER://127.0.0.1:9093|' \
  -e "s|^advertised.listeners=.*|advertised.listeners=PLAINTEXT://$INTERNAL,EXTERNAL://$EXTERNAL|" \
  -e 's|^listener.security.protocol.map=.*|listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,EXTERNAL:PLAINTEXT|' \
  "$KAFKA_HOME/config/server.properties.template" >"$props"
# The template is shared with the local infra: fail loudly if it no longer has the lines rewritten above.
for want in 'EXTERNAL://0.0.0.0:9094' "EXTERNAL://$EXTERNAL" 'EXTERNAL:PLAINTEXT' 'controller.quorum.voters=1@127.0.0.1:9093'; do
  grep -qF -- "$want" "$props" || { echo "kafka entrypoint: could not set '$want' in $props" >&2; exit 1; }
done

if [ ! -f "$DATA_DIR/meta.properties" ]; then
  echo "formatting $DATA_DIR (cluster $CLUSTER_ID)"
  # shellcheck disable=SC2086
  java $TOOL_OPTS "$LOG4J" -cp "$KAFKA_HOME/libs/*" kafka.tools.StorageTool format \
    -t "$CLUSTER_ID" -c "$props" >/dev/null
fi
echo "starting Kafka: advertised PLAINTEXT://$INTERNAL (containers), EXTERNAL://$EXTERNAL (host)"
# shellcheck disable=SC2086
exec java $JVM_OPTS "$LOG4J" -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$props"
