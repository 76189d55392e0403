/** One measured figure, printed beside the anchor it is compared with (measured in the same run). */
export interface Row {
  readonly group: string
  readonly name: string
  readonly value: number
  readonly unit: string
  /** What the figure is compared with, e.g. "raw JetStream 256 in flight". */
  readonly anchor?: string
  readonly anchorValue?: number
  /** value / anchorValue (or the inverse for latencies, said in `note`). */
  readonly ratio?: number
  readonly goal?: string
  readonly note?: string
}
