//! The Wasm exports `parse(input, sheet?)` and `sheets(input)`, through the guest SDK.

use fazt_wasm_guest::{Args, Error, Value, export};

use crate::{ErrorKind, SheetSelector, XlsxError, parse, sheets, to_json};

/// Parses the `input` workbook's first sheet, or the one named or indexed (0-based) by
/// `sheet`, into a JSON array of rows of cell text.
///
/// # Errors
///
/// `bad_argument` for an unknown argument or sheet, `invalid_input` for a corrupt file,
/// `unsupported` for other spreadsheet formats, `limit` for zip bombs and huge sheets.
pub fn parse_service(args: &Args<'_>) -> Result<Vec<u8>, Error> {
    args.only(&["input", "sheet"])?;
    let input = args.bytes("input")?;
    let selector = match args.get("sheet") {
        None => None,
        Some(Value::Str(name)) => Some(SheetSelector::Name((*name).into())),
        Some(Value::Int(index)) => Some(SheetSelector::Index(usize::try_from(*index).map_err(
            |_| {
                Error::bad_argument(format!(
                    "argument \"sheet\" must be a name or an index of 0 or more, got {index}"
                ))
            },
        )?)),
        Some(other) => {
            return Err(Error::bad_argument(format!(
                "argument \"sheet\" must be a string or an integer, got {}",
                other.type_name()
            )));
        }
    };
    let rows = parse(input, selector).map_err(to_guest_error)?;
    Ok(to_json(&rows).into_bytes())
}

/// Lists the `input` workbook's sheet names as a JSON array, in workbook order.
///
/// # Errors
///
/// As [`parse_service`].
pub fn sheets_service(args: &Args<'_>) -> Result<Vec<u8>, Error> {
    args.only(&["input"])?;
    let names = sheets(args.bytes("input")?).map_err(to_guest_error)?;
    // `to_json` writes rows; one row of names, without the outer brackets, is the list.
    let json = to_json(&[names]);
    Ok(json.as_bytes()[1..json.len() - 1].to_vec())
}

fn to_guest_error(error: XlsxError) -> Error {
    let message = error.to_string();
    match error.kind() {
        ErrorKind::BadArgument => Error::bad_argument(message),
        ErrorKind::InvalidInput => Error::invalid_input(message),
        ErrorKind::Unsupported => Error::unsupported(message),
        ErrorKind::Limit => Error::limit(message),
    }
}

export!(parse => parse_service);
export!(sheets => sheets_service);
