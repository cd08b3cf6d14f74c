/**
 * Decimal text for the numbers the VTK writers print (legacy ASCII bodies, XML `ascii` DataArrays), chosen so that
 * reading the text back gives exactly the stored value.
 */

/**
 * The shortest decimal (of 6 to 9 significant digits) that reads back as the same float32. Nine digits always
 * suffice for binary32 (IEEE 754-2008 §5.12.2: FLT_DECIMAL_DIG = 9); fewer usually do, which keeps ASCII files
 * small and readable (0.1f prints as 0.1, not 0.10000000149011612).
 */
export function formatFloat32(v: number): string {
  if (!Number.isFinite(v) || (Number.isInteger(v) && Math.abs(v) < 1e15)) return formatFloat64(v);
  for (let p = 6; p < 9; p++) {
    const d = Number(v.toPrecision(p));
    if (Math.fround(d) === v) return String(d);
  }
  return String(Number(v.toPrecision(9)));
}

/**
 * The shortest decimal that reads back as the same double (ECMAScript's Number::toString guarantees it), with the
 * sign of −0 kept (String(-0) is "0").
 */
export function formatFloat64(v: number): string {
  return v === 0 && 1 / v < 0 ? '-0' : String(v);
}

/** True when every value is exactly a float32, so that storing them as float32 loses nothing. */
export function allExactFloat32(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Math.fround(v) !== v) return false;
  }
  return true;
}
