CREATE TABLE "maintenance_leases" (
	"task" text PRIMARY KEY NOT NULL,
	"ran_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "run_duration_buckets" (
	"status" "run_status" NOT NULL,
	"le" double precision NOT NULL,
	"runs" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "run_duration_buckets_status_le_pk" PRIMARY KEY("status","le")
);
--> statement-breakpoint
CREATE TABLE "run_totals" (
	"status" "run_status" PRIMARY KEY NOT NULL,
	"runs" bigint DEFAULT 0 NOT NULL,
	"rows_loaded" bigint DEFAULT 0 NOT NULL,
	"duration_seconds_sum" double precision DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "fence" uuid;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "heartbeat_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "idempotency_key" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "scheduled_for" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "run_logs_ts_idx" ON "run_logs" USING btree ("ts");--> statement-breakpoint
CREATE INDEX "runs_finished_idx" ON "runs" USING btree ("finished_at");--> statement-breakpoint
CREATE UNIQUE INDEX "runs_job_idempotency_key" ON "runs" USING btree ("job_id","idempotency_key");--> statement-breakpoint
CREATE UNIQUE INDEX "runs_job_scheduled_for_key" ON "runs" USING btree ("job_id","scheduled_for");--> statement-breakpoint
-- Metrics: count each run once as it reaches a final status (see lib/db/schema/operations.ts).
INSERT INTO "run_totals" ("status") VALUES ('success'), ('failed'), ('cancelled');
--> statement-breakpoint
INSERT INTO "run_duration_buckets" ("status", "le")
SELECT s::run_status, le FROM unnest(ARRAY['success', 'failed', 'cancelled']) s,
  unnest(ARRAY[1, 5, 15, 30, 60, 300, 900, 1800, 3600, 7200, 21600, 'Infinity']::double precision[]) le;
--> statement-breakpoint
CREATE FUNCTION "dfh_count_finished_run"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  seconds double precision := EXTRACT(EPOCH FROM (COALESCE(NEW.finished_at, now()) - NEW.started_at));
BEGIN
  UPDATE run_totals SET runs = runs + 1, rows_loaded = rows_loaded + NEW.rows_loaded,
    duration_seconds_sum = duration_seconds_sum + COALESCE(seconds, 0)
  WHERE status = NEW.status;
  -- A run cancelled before it started has no duration.
  IF seconds IS NOT NULL THEN
    UPDATE run_duration_buckets SET runs = runs + 1 WHERE status = NEW.status AND le >= seconds;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "runs_count_finished" AFTER UPDATE OF "status" ON "runs" FOR EACH ROW
WHEN (OLD.status IS DISTINCT FROM NEW.status AND NEW.status IN ('success', 'failed', 'cancelled'))
EXECUTE FUNCTION "dfh_count_finished_run"();
--> statement-breakpoint
-- Definitions saved before overlap and notify existed get their defaults, so every stored one matches jobDefinitionSchema.
UPDATE "jobs" SET "definition" = '{"overlap": "queue", "notify": null}'::jsonb || "definition";
--> statement-breakpoint
UPDATE "runs" SET "definition" = '{"overlap": "queue", "notify": null}'::jsonb || "definition";
