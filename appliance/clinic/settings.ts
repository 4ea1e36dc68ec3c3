/** What the clinic domain needs to know of the box's configuration. */
export interface ClinicSettings {
  timeZone: string;
  serviceEndsAt: string;
  referralValidDays: number;
  defaultServiceMinutes: number;
  facility: { code: string; name: string };
  polis: { code: string; name: string; prefix: string; rooms: string[] }[];
}
