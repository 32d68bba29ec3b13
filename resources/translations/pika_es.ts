<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es_ES">
<context>
    <name>KioskWindow</name>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="161"/>
        <source>Pika Counter</source>
        <translation>Pika Counter</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="165"/>
        <source>DEMO MODE: demo vouchers, nothing is sent</source>
        <translation>MODO DEMO: vouchers de prueba, no se envía nada</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="168"/>
        <source>No system keyring: this demo uses a temporary key; data is lost on exit</source>
        <translation>Sin llavero del sistema: esta demo usa una clave temporal; los datos se pierden al salir</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="174"/>
        <source>Type the code under the QR, e.g. 7KQ2-M9XD-R</source>
        <translation>Escriba el código debajo del QR, p. ej. 7KQ2-M9XD-R</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="175"/>
        <source>Check</source>
        <translation>Verificar</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="176"/>
        <source>Use a video as camera…</source>
        <translation>Usar un video como cámara…</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="177"/>
        <source>Print voucher sheet…</source>
        <translation>Imprimir hoja de vouchers…</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="211"/>
        <source>Waiting to sync: {count}</source>
        <translation>Pendientes de sincronizar: {count}</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="216"/>
        <source>Demo · offline</source>
        <translation>Demo · sin conexión</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="218"/>
        <source>Offline</source>
        <translation>Sin conexión</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="232"/>
        <source>Error: {error}</source>
        <translation>Error: {error}</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="280"/>
        <source>Video to use as camera</source>
        <translation>Video para usar como cámara</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="280"/>
        <source>Videos (*.mp4 *.avi *.mkv)</source>
        <translation>Videos (*.mp4 *.avi *.mkv)</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="287"/>
        <source>Save voucher sheet</source>
        <translation>Guardar hoja de vouchers</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="287"/>
        <source>PDF (*.pdf);;PNG (*.png)</source>
        <translation>PDF (*.pdf);;PNG (*.png)</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk_window.py" line="305"/>
        <source>Voucher sheet saved: {files}</source>
        <translation>Hoja de vouchers guardada: {files}</translation>
    </message>
</context>
<context>
    <name>Reason</name>
    <message>
        <location filename="../../app/ui/texts.py" line="17"/>
        <source>Valid voucher</source>
        <translation>Voucher válido</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="18"/>
        <source>Already used</source>
        <translation>Ya fue usado</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="19"/>
        <source>Expired</source>
        <translation>Vencido</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="20"/>
        <source>Not valid yet</source>
        <translation>Todavía no es válido</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="21"/>
        <source>Voucher of another business</source>
        <translation>Voucher de otro comercio</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="22"/>
        <source>Voucher cancelled</source>
        <translation>Voucher anulado</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="23"/>
        <source>Voucher not recognised</source>
        <translation>Voucher no reconocido</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="24"/>
        <source>Fake voucher</source>
        <translation>Voucher falso</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="25"/>
        <source>Cannot read this code</source>
        <translation>No se puede leer este código</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="29"/>
        <source>Give the discount.</source>
        <translation>Aplique el descuento.</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="30"/>
        <source>Do not give the discount again.</source>
        <translation>No aplique el descuento otra vez.</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="31"/>
        <source>Its validity has ended. Do not give the discount.</source>
        <translation>Su vigencia terminó. No aplique el descuento.</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="34"/>
        <source>It cannot be used yet. Do not give the discount.</source>
        <translation>Todavía no se puede usar. No aplique el descuento.</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="37"/>
        <source>It is for another shop. Do not give the discount.</source>
        <translation>Es para otro comercio. No aplique el descuento.</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="40"/>
        <source>Head office cancelled it. Do not give the discount.</source>
        <translation>La central lo anuló. No aplique el descuento.</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="43"/>
        <source>Sync this kiosk, then try again. Do not give the discount yet.</source>
        <translation>Sincronice este equipo y vuelva a intentar. Todavía no aplique el descuento.</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="46"/>
        <source>The code was altered. Do not give the discount.</source>
        <translation>El código fue alterado. No aplique el descuento.</translation>
    </message>
    <message>
        <location filename="../../app/ui/texts.py" line="47"/>
        <source>Try again or type the code printed under the QR.</source>
        <translation>Intente de nuevo o escriba el código impreso debajo del QR.</translation>
    </message>
</context>
<context>
    <name>ResultPanel</name>
    <message>
        <location filename="../../app/ui/result_panel.py" line="65"/>
        <source>Ready to scan</source>
        <translation>Listo para escanear</translation>
    </message>
    <message>
        <location filename="../../app/ui/result_panel.py" line="66"/>
        <source>Show the voucher&apos;s QR to the camera</source>
        <translation>Muestre el QR del voucher a la cámara</translation>
    </message>
    <message>
        <location filename="../../app/ui/result_panel.py" line="67"/>
        <source>or type the code printed under it</source>
        <translation>o escriba el código impreso debajo</translation>
    </message>
    <message>
        <location filename="../../app/ui/result_panel.py" line="100"/>
        <source>Used on {when} at {where}.</source>
        <translation>Usado el {when} en {where}.</translation>
    </message>
    <message>
        <location filename="../../app/ui/result_panel.py" line="108"/>
        <source>Recorded on this kiosk · waiting to sync</source>
        <translation>Registrado en este equipo · pendiente de sincronizar</translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <location filename="../../app/ui/app.py" line="75"/>
        <source>Pika Counter cannot start</source>
        <translation>Pika Counter no puede iniciar</translation>
    </message>
</context>
</TS>
