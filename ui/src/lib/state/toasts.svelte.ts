export type ToastTone = 'ok' | 'bad' | 'info'
export interface Toast {
  readonly id: number
  readonly message: string
  readonly tone: ToastTone
}

/** Short confirmations and failures of background actions, read out by screen readers. */
export class Toasts {
  items = $state<Toast[]>([])
  #next = 1

  show(message: string, tone: ToastTone = 'ok', ms = tone === 'bad' ? 8_000 : 4_000): void {
    const id = this.#next++
    this.items = [...this.items.slice(-3), { id, message, tone }]
    setTimeout(() => this.dismiss(id), ms)
  }

  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id)
  }
}
