// The package reads records through its Apex controllers, which the bridge serves; Lightning Data
// Service is not used. These exports exist so a stray import fails loudly at use, not at load.
function unsupported(name) {
    return () => Promise.reject(new Error(`${name} is not available in the local preview`));
}
export const getRecord = unsupported('getRecord');
export const updateRecord = unsupported('updateRecord');
export const getFieldValue = (record, field) => record?.fields?.[field.fieldApiName]?.value;
export const notifyRecordUpdateAvailable = () => Promise.resolve();
