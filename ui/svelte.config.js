// Runes only: legacy syntax ($:, export let, on:click, slots, stores) fails to compile.
export default {
  compilerOptions: { runes: true }
}
